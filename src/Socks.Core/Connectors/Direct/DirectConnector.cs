using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Socks.Core.Protocol;

namespace Socks.Core.Connectors.Direct;

/// <summary>
/// Connects to the destination of a SOCKS5 CONNECT request: resolves a name, filters the addresses through the
/// destination policy, and races connection attempts the RFC 8305 (Happy Eyeballs) way within one time limit.
/// </summary>
/// <remarks>
/// <para>Addresses. ATYP X'01'/X'04' addresses are dialed as given; an IPv4-mapped IPv6 address
/// (<c>::ffff:a.b.c.d</c>) is treated as the IPv4 address it carries, so the policy judges (and the socket dials)
/// the real destination. An ATYP X'03' name must be printable ASCII without spaces (else X'04' without a lookup).
/// A name that is the text of an IP address (anything <see cref="IPAddress.TryParse(string, out IPAddress)"/>
/// accepts, which matches what getaddrinfo accepts numerically) is used directly without a lookup: clients such as
/// curl's <c>socks5h://</c> send literals as names, and the result is the same as asking the resolver. Other names
/// go to the <see cref="BoundedResolver"/> (at most a fixed number of lookups at once, on threads of their own, a
/// bounded wait queue; X'01' at once when it is saturated); a failed lookup or an empty answer gives X'04'.
/// Duplicates are dropped.</para>
/// <para>Policy. Every address is checked as an <see cref="IPEndPoint"/> with the requested port, at
/// <see cref="AccessPhase.Resolved"/>. Denied addresses are skipped; if all are denied the reply is the policy's code
/// for the first of them (normally X'02').</para>
/// <para>Racing (RFC 8305 §4-§5). Addresses are ordered by alternating families, starting with the family of the
/// first allowed address, in resolver order within a family. Attempt 1 starts at once; each next attempt starts
/// when the Connection Attempt Delay (250 ms) has passed since the previous start, or at once when any running
/// attempt fails. The first attempt to connect wins; the others are cancelled and any socket they still produce is
/// disposed. The winner gets <see cref="Socket.NoDelay"/>.</para>
/// <para>Limits. The whole dial, resolution included, must finish within the connect timeout; when it runs out the
/// reply is X'06' (<see cref="ReplyCode.TtlExpired"/>), whatever failed before. When every attempt failed, the reply
/// comes from the attempt whose error ranks highest, in this order: refused X'05' (the host answered), host
/// unreachable X'04' (a router near the host answered), timed out X'06', network unreachable X'03' (no route from
/// here: typical of the other family being absent), anything else X'01'. Equal ranks keep the earliest failure.
/// The more an error says about the destination itself, the higher it ranks, so an IPv6-less proxy still tells
/// the client "refused" when the IPv4 attempt was refused.</para>
/// <para>All timing goes through the injected <see cref="TimeProvider"/>.</para>
/// </remarks>
internal sealed partial class DirectConnector : IConnector
{
    /// <summary>RFC 8305 §5 recommended Connection Attempt Delay.</summary>
    public static readonly TimeSpan ConnectionAttemptDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>The connect timeout used when the server options do not set one.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = SocksServerOptions.DefaultConnectTimeout;

    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _connectTimeout;
    private readonly IAccessPolicy? _policy;
    private readonly HostResolver _resolver;
    private readonly Func<IPEndPoint, CancellationToken, ValueTask<Socket>> _connect;

    /// <summary>Creates a dialer.</summary>
    /// <param name="timeProvider">Clock for the attempt delay and the connect timeout.</param>
    /// <param name="connectTimeout">Upper bound for a whole dial, resolution included; positive and finite.</param>
    /// <param name="policy">Checked for every resolved address; null allows everything.</param>
    /// <param name="resolver">
    /// Name lookup, run in a slot of the <see cref="BoundedResolver"/> and never cancelled; null runs the blocking
    /// system resolver (getaddrinfo) on the connector's own <see cref="LookupThreads"/>, never on the thread pool.
    /// </param>
    /// <param name="connect">Connects one endpoint and returns the socket, honouring the token; null connects a real TCP socket. Tests script attempts that hang, fail or succeed.</param>
    /// <param name="maxConcurrentLookups">The most lookups running at once (see <see cref="SocksServerOptions.MaxConcurrentLookups"/>).</param>
    /// <param name="logger">Receives the resolver's saturation warning, or null.</param>
    internal DirectConnector(
        TimeProvider timeProvider,
        TimeSpan connectTimeout,
        IAccessPolicy? policy,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolver = null,
        Func<IPEndPoint, CancellationToken, ValueTask<Socket>>? connect = null,
        int maxConcurrentLookups = SocksServerOptions.DefaultMaxConcurrentLookups,
        ILogger? logger = null)
        : this(new HostResolver(timeProvider, connectTimeout, resolver, null, maxConcurrentLookups, logger), timeProvider, connectTimeout, policy, connect)
    {
    }

    /// <summary>Creates a dialer that resolves names through a resolver it shares (with BIND and RESOLVE).</summary>
    /// <param name="resolver">The server's resolver.</param>
    /// <param name="timeProvider">Clock for the attempt delay and the connect timeout.</param>
    /// <param name="connectTimeout">Upper bound for a whole dial, resolution included; positive and finite.</param>
    /// <param name="policy">Checked for every resolved address; null allows everything.</param>
    /// <param name="connect">Connects one endpoint, or null for a real TCP socket.</param>
    internal DirectConnector(
        HostResolver resolver,
        TimeProvider timeProvider,
        TimeSpan connectTimeout,
        IAccessPolicy? policy,
        Func<IPEndPoint, CancellationToken, ValueTask<Socket>>? connect = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(resolver);
        if (connectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(connectTimeout), connectTimeout, "The connect timeout must be positive and finite.");
        }

        _timeProvider = timeProvider;
        _connectTimeout = connectTimeout;
        _policy = policy;
        _resolver = resolver;
        _connect = connect ?? ConnectSocketAsync;
    }


    /// <inheritdoc/>
    public ValueTask<ConnectResult> ConnectAsync(SessionContext session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var request = session.Request ?? throw new ArgumentException("The session has no request yet.", nameof(session));
        return new ValueTask<ConnectResult>(DialAsync(session, request, cancellationToken));
    }

    /// <summary>Connects to the destination of <paramref name="request"/>.</summary>
    /// <param name="session">The session, for the access policy.</param>
    /// <param name="request">A parsed request; its command is not checked here.</param>
    /// <param name="cancellationToken">Abandons the dial (server shutdown, client gone).</param>
    /// <returns>The connected socket, or the REP code to send. The time limit is a result (X'06'), not an exception.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; every attempt has been cancelled.</exception>
    internal async Task<ConnectResult> DialAsync(SessionContext session, SocksRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var deadline = new CancellationTokenSource(_connectTimeout, _timeProvider);
        using var dial = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var (addresses, failure) = await _resolver.ResolveAsync(request, dial.Token).ConfigureAwait(false);
            if (failure is { } reply)
            {
                return ConnectResult.Failed(reply, null);
            }

            var allowed = new List<IPEndPoint>(addresses.Count);
            ConnectResult? denied = null;
            foreach (var address in addresses)
            {
                var endpoint = new IPEndPoint(address, request.Port);
                var verdict = _policy is null
                    ? AccessDecision.Allow
                    : await _policy.EvaluateAsync(new AccessRequest(AccessPhase.Resolved, session, endpoint), dial.Token).ConfigureAwait(false);
                if (verdict.IsAllowed)
                {
                    allowed.Add(endpoint);
                }
                else
                {
                    if (denied is null)
                    {
                        session.NoteDenial(verdict);
                        denied = ConnectResult.Denied(verdict.Reply, endpoint);
                    }
                }
            }

            if (allowed.Count == 0)
            {
                return denied!.Value;
            }

            return await ConnectFirstAsync(Interleave(allowed), dial.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ConnectResult.Failed(ReplyCode.TtlExpired, null);
        }
    }
}
