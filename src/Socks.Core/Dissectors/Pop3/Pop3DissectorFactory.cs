using Microsoft.Extensions.Logging;

namespace Socks.Core.Dissectors.Pop3;

/// <summary>
/// Creates POP3 credential dissectors (RFC 1939, RFC 2449, RFC 5034) for connected sessions.
/// </summary>
/// <remarks>
/// <para>Sessions whose connected port is one of <see cref="Ports"/> get a POP3 observer. Other
/// sessions get an observer that only checks the first bytes (O(1)): it keeps watching only if the
/// server speaks first with a POP3 greeting (<c>+OK</c>), and finishes at the first byte that rules
/// POP3 out, or as soon as the client speaks first with something that is not a POP3 command.</para>
/// <para>Observers are created even while the <see cref="DissectorSwitch"/> is off, so that switching it
/// on also covers running sessions; while it is off they look at nothing beyond that first-bytes check.</para>
/// </remarks>
public sealed class Pop3DissectorFactory : ITrafficObserverFactory
{
    /// <summary>The port watched when none are given: 110 (RFC 1939).</summary>
    public const int DefaultPort = 110;

    private readonly HashSet<int> _ports;

    /// <summary>Creates the factory.</summary>
    /// <param name="sink">Receives each credential found.</param>
    /// <param name="switch">The run-time on/off switch.</param>
    /// <param name="ports">The ports always watched as POP3 (1..65535); <c>{110}</c> if null.</param>
    /// <param name="time">The clock for record times; the system clock if null.</param>
    /// <param name="logger">Where a dissector failure is reported; none if null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sink"/> or <paramref name="switch"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A port is outside 1..65535.</exception>
    public Pop3DissectorFactory(ICredentialSink sink, DissectorSwitch @switch, IReadOnlyCollection<int>? ports = null, TimeProvider? time = null, ILogger? logger = null)
        : this(new DissectorContext(sink, @switch, time, logger), ports)
    {
    }

    /// <summary>Creates the POP3 member of a dissector family, sharing its sink, switch, clock and logger.</summary>
    internal Pop3DissectorFactory(DissectorContext context, IReadOnlyCollection<int>? ports)
    {
        Context = context;
        _ports = [.. ports ?? [DefaultPort]];
        foreach (var port in _ports)
        {
            if (port is < 1 or > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(ports), port, "A POP3 port must be between 1 and 65535.");
            }
        }

        Ports = [.. _ports.Order()];
    }

    /// <summary>The ports always watched as POP3, ascending.</summary>
    public IReadOnlyList<int> Ports { get; }

    internal DissectorContext Context { get; }

    /// <summary>
    /// Returns a POP3 observer for a session to one of <see cref="Ports"/>, and a greeting-sniffing
    /// observer (which finishes itself after the first bytes unless they are a POP3 greeting) for
    /// any other session. The returned observer implements <see cref="IDisposable"/>: disposing it
    /// when the session ends logs credentials still waiting for the server's answer as
    /// <see cref="CredentialOutcome.Unknown"/> and returns its buffers.
    /// </summary>
    /// <param name="session">The connected session.</param>
    /// <returns>An observer; never null.</returns>
    public ITrafficObserver? Create(SessionInfo session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new Pop3Observer(Context, session, sniffGreeting: !_ports.Contains(session.Target.Port));
    }
}
