namespace Mcp.Protocol;

/// <summary>The server answered a request with a status other than <see cref="McpStatus.Ok"/> (MCP memo §5).</summary>
public sealed class McpStatusException : McpException
{
    /// <summary>Creates an exception for a non-OK answer, with a message naming the command and the status.</summary>
    /// <param name="command">The command the server answered.</param>
    /// <param name="status">The status byte it answered with; may be a value the memo does not define.</param>
    public McpStatusException(McpCommand command, McpStatus status)
        : this(command, status, $"The server answered {McpNames.GetName(command)} with {McpNames.GetName(status)}: {McpNames.GetDescription(status)}.")
    {
    }

    /// <summary>Creates an exception for a non-OK answer with a custom message.</summary>
    /// <param name="command">The command the server answered.</param>
    /// <param name="status">The status byte it answered with.</param>
    /// <param name="message">What went wrong, for people.</param>
    public McpStatusException(McpCommand command, McpStatus status, string message)
        : base(message)
    {
        Command = command;
        Status = status;
    }

    /// <summary>Gets the command the server answered.</summary>
    public McpCommand Command { get; }

    /// <summary>Gets the status the server answered with (never <see cref="McpStatus.Ok"/>).</summary>
    public McpStatus Status { get; }
}
