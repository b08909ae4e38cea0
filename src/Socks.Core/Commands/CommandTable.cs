namespace Socks.Core.Commands;

/// <summary>
/// The command dispatch of a server: CMD octet to handler, one array lookup per session. A command without a
/// handler is answered REP X'07' (command not supported) by the session.
/// </summary>
internal sealed class CommandTable
{
    private readonly ICommandHandler?[] _handlers = new ICommandHandler?[256];

    /// <summary>Registers the handlers.</summary>
    /// <param name="handlers">One handler per command.</param>
    /// <exception cref="ArgumentException">Two handlers serve the same command.</exception>
    public CommandTable(params IEnumerable<ICommandHandler> handlers)
    {
        foreach (var handler in handlers)
        {
            if (_handlers[handler.Command] is not null)
            {
                throw new ArgumentException($"Two handlers for command {handler.Command:x2}.", nameof(handlers));
            }

            _handlers[handler.Command] = handler;
        }
    }

    /// <summary>Finds the handler of <paramref name="command"/>.</summary>
    /// <param name="command">The CMD octet.</param>
    /// <returns>The handler, or null when the command is not supported.</returns>
    public ICommandHandler? Find(byte command) => _handlers[command];
}
