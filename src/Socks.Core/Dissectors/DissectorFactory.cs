using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Socks.Core.Dissectors.Ftp;
using Socks.Core.Dissectors.Http;
using Socks.Core.Dissectors.Imap;
using Socks.Core.Dissectors.Pop3;
using Socks.Core.Dissectors.Smtp;

namespace Socks.Core.Dissectors;

/// <summary>
/// The dissector family (POP3, HTTP Basic, FTP, IMAP, SMTP AUTH): picks, once per connected session, the
/// protocol whose ports include the session's connected port, and creates that protocol's observer.
/// All share one sink, one <see cref="DissectorSwitch"/>, one clock and one logger.
/// </summary>
/// <remarks>
/// <para>A session to a port no protocol watches gets no observer at all (the relay then pays nothing),
/// unless first-bytes detection is asked for some protocols (<c>sniffOtherPorts</c>: POP3, by its
/// <c>+OK</c> greeting, and HTTP, by a request method); then those sessions get an observer that
/// finishes at the first bytes that rule the protocol out.</para>
/// <para>Observers are created even while the switch is off, so that switching it on also covers
/// running sessions. Each returned observer implements <see cref="IDisposable"/>: disposing it when the
/// session ends logs credentials still waiting for the server's answer as
/// <see cref="CredentialOutcome.Unknown"/> and returns its buffers.</para>
/// </remarks>
public sealed class DissectorFactory : ITrafficObserverFactory
{
    private readonly DissectorContext _context;
    private readonly FrozenDictionary<int, DissectorProtocol> _byPort;
    private readonly bool _sniffPop3;
    private readonly bool _sniffHttp;

    /// <summary>Creates the family.</summary>
    /// <param name="sink">Receives each credential found.</param>
    /// <param name="switch">The run-time on/off switch of the whole family.</param>
    /// <param name="ports">The ports of each protocol (1..65535); a protocol left out gets its
    /// <see cref="DefaultPorts"/>, one given an empty list watches no port. Null: all defaults.</param>
    /// <param name="sniffOtherPorts">Protocols also detected by their first bytes on ports no protocol
    /// watches: <see cref="DissectorProtocol.Pop3"/> and <see cref="DissectorProtocol.Http"/> only. Null: none.</param>
    /// <param name="time">The clock for record times; the system clock if null.</param>
    /// <param name="logger">Where a dissector failure is reported; none if null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sink"/> or <paramref name="switch"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A port is outside 1..65535.</exception>
    /// <exception cref="ArgumentException">A port is given to two protocols, or a protocol that cannot be sniffed is in <paramref name="sniffOtherPorts"/>.</exception>
    public DissectorFactory(
        ICredentialSink sink,
        DissectorSwitch @switch,
        IReadOnlyDictionary<DissectorProtocol, IReadOnlyCollection<int>>? ports = null,
        IReadOnlyCollection<DissectorProtocol>? sniffOtherPorts = null,
        TimeProvider? time = null,
        ILogger? logger = null)
    {
        _context = new DissectorContext(sink, @switch, time, logger);
        var byPort = new Dictionary<int, DissectorProtocol>();
        var lists = new SortedDictionary<DissectorProtocol, IReadOnlyList<int>>();
        foreach (var (protocol, defaults) in DefaultPorts)
        {
            var list = ports is not null && ports.TryGetValue(protocol, out var given) ? given : defaults;
            foreach (var port in list)
            {
                if (port is < 1 or > 65535)
                {
                    throw new ArgumentOutOfRangeException(nameof(ports), port, $"A {Name(protocol)} port must be between 1 and 65535.");
                }

                if (byPort.TryGetValue(port, out var other) && other != protocol)
                {
                    throw new ArgumentException($"Port {port} is given to both {Name(other)} and {Name(protocol)}.", nameof(ports));
                }

                byPort[port] = protocol;
            }

            lists[protocol] = [.. list.Distinct().Order()];
        }

        foreach (var protocol in sniffOtherPorts ?? [])
        {
            _sniffPop3 |= protocol == DissectorProtocol.Pop3;
            _sniffHttp |= protocol == DissectorProtocol.Http;
            if (protocol is not (DissectorProtocol.Pop3 or DissectorProtocol.Http))
            {
                throw new ArgumentException($"{Name(protocol)} cannot be detected on other ports; only POP3 and HTTP can.", nameof(sniffOtherPorts));
            }
        }

        _byPort = byPort.ToFrozenDictionary();
        Ports = lists;
        SniffedProtocols = [.. (sniffOtherPorts ?? []).Distinct().Order()];
    }

    /// <summary>The ports each protocol watches when none are given: HTTP 80, 8080; FTP 21; IMAP 143; POP3 110; SMTP 25, 587.</summary>
    public static IReadOnlyDictionary<DissectorProtocol, IReadOnlyList<int>> DefaultPorts { get; } = new SortedDictionary<DissectorProtocol, IReadOnlyList<int>>
    {
        [DissectorProtocol.Http] = [80, 8080],
        [DissectorProtocol.Ftp] = [21],
        [DissectorProtocol.Imap] = [143],
        [DissectorProtocol.Pop3] = [Pop3DissectorFactory.DefaultPort],
        [DissectorProtocol.Smtp] = [25, 587],
    };

    /// <summary>The ports each protocol watches, ascending (every protocol is present; an empty list watches none).</summary>
    public IReadOnlyDictionary<DissectorProtocol, IReadOnlyList<int>> Ports { get; }

    /// <summary>The protocols also detected by their first bytes on other ports.</summary>
    public IReadOnlyList<DissectorProtocol> SniffedProtocols { get; }

    /// <summary>The name of a protocol as records and logs show it: <c>HTTP</c>, <c>FTP</c>, <c>IMAP</c>, <c>POP3</c>, <c>SMTP</c>.</summary>
    /// <param name="protocol">The protocol.</param>
    /// <returns>The name.</returns>
    public static string Name(DissectorProtocol protocol) => protocol switch
    {
        DissectorProtocol.Http => "HTTP",
        DissectorProtocol.Ftp => "FTP",
        DissectorProtocol.Imap => "IMAP",
        DissectorProtocol.Pop3 => "POP3",
        DissectorProtocol.Smtp => "SMTP",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown protocol."),
    };

    /// <summary>
    /// Returns the observer of the protocol watching the session's connected port, a first-bytes
    /// observer on another port when detection is on, or null (the session is not watched).
    /// </summary>
    /// <param name="session">The connected session.</param>
    /// <returns>An observer (disposable), or null.</returns>
    public ITrafficObserver? Create(SessionInfo session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (_byPort.TryGetValue(session.Target.Port, out var protocol))
        {
            return protocol switch
            {
                DissectorProtocol.Http => new HttpObserver(_context, session, sniff: false),
                DissectorProtocol.Ftp => new DialogueObserver(_context, session, "FTP", FtpDialogue.MaxLineLength, static emitter => new FtpDialogue(emitter)),
                DissectorProtocol.Imap => new DialogueObserver(_context, session, "IMAP", ImapDialogue.MaxLineLength, static emitter => new ImapDialogue(emitter)),
                DissectorProtocol.Smtp => new DialogueObserver(_context, session, "SMTP", SmtpDialogue.MaxLineLength, static emitter => new SmtpDialogue(emitter)),
                _ => new Pop3Observer(_context, session, sniffGreeting: false),
            };
        }

        return (_sniffPop3, _sniffHttp) switch
        {
            (true, true) => new EitherObserver(new Pop3Observer(_context, session, sniffGreeting: true), new HttpObserver(_context, session, sniff: true)),
            (true, false) => new Pop3Observer(_context, session, sniffGreeting: true),
            (false, true) => new HttpObserver(_context, session, sniff: true),
            _ => null,
        };
    }
}
