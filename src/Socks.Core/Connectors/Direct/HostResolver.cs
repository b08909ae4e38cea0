using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Socks.Core.Protocol;

namespace Socks.Core.Connectors.Direct;

/// <summary>
/// What a request's DST.ADDR resolves to, and what an address's name is, with the REP codes of failures: the one
/// place where CONNECT (through <see cref="DirectConnector"/>), BIND and the RESOLVE extensions turn names into
/// addresses and back. Every lookup runs in a slot of one <see cref="BoundedResolver"/> per server.
/// </summary>
/// <remarks>
/// <para>Names. An ATYP X'03' name must be printable ASCII without spaces (else X'04' without a lookup). A name that
/// is the text of an IP address (anything <see cref="IPAddress.TryParse(string, out IPAddress)"/> accepts, which
/// matches what getaddrinfo accepts numerically) is used directly: clients such as curl's <c>socks5h://</c> send
/// literals as names. A failed lookup or an empty answer gives X'04'; a saturated resolver X'01' at once.
/// IPv4-mapped IPv6 addresses are returned as the IPv4 address they carry; duplicates are dropped.</para>
/// <para>Deadlines. <see cref="ResolveAsync"/> runs within the caller's token (the connector's dial deadline);
/// <see cref="ResolveWithinDeadlineAsync"/> and <see cref="ReverseWithinDeadlineAsync"/> have a deadline of their
/// own, the connect timeout, and answer X'06' when it runs out, as a CONNECT does.</para>
/// </remarks>
internal sealed class HostResolver
{
    private readonly BoundedResolver _resolver;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _deadline;

    /// <summary>Creates the resolver of one server.</summary>
    /// <param name="timeProvider">The clock of the deadlines and of the saturation warning.</param>
    /// <param name="deadline">The longest a lookup with a deadline of its own may take (the connect timeout).</param>
    /// <param name="lookup">The forward lookup step, or null for getaddrinfo on <see cref="LookupThreads"/>.</param>
    /// <param name="reverse">The reverse (PTR) lookup step, or null for getnameinfo on <see cref="LookupThreads"/>.</param>
    /// <param name="maxConcurrentLookups">The most lookups running at once.</param>
    /// <param name="logger">Receives the saturation warning, or null.</param>
    public HostResolver(
        TimeProvider timeProvider,
        TimeSpan deadline,
        Func<string, CancellationToken, Task<IPAddress[]>>? lookup,
        Func<IPAddress, CancellationToken, Task<string>>? reverse,
        int maxConcurrentLookups,
        ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _deadline = deadline;

        // Threads start only when a lookup needs one, so a set that a test's hooks leave unused costs nothing.
        var threads = new LookupThreads(maxConcurrentLookups);
        lookup ??= (name, _) => threads.LookupAsync(name);
        reverse ??= (address, _) => threads.ReverseLookupAsync(address);
        _resolver = new BoundedResolver(
            lookup,
            maxConcurrentLookups,
            maxConcurrentLookups * BoundedResolver.QueuedPerSlot,
            timeProvider,
            logger,
            address => reverse(address, CancellationToken.None));
    }

    /// <summary>The bounded lookups themselves, for callers that need addresses by name (UDP ASSOCIATE).</summary>
    internal BoundedResolver Bounded => _resolver;

    /// <summary>The address as the socket layer should see it: an IPv4-mapped IPv6 address as IPv4.</summary>
    /// <param name="address">Any address.</param>
    /// <returns>The address, unmapped.</returns>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Resolves DST.ADDR of <paramref name="request"/> within the caller's token.</summary>
    /// <param name="request">A parsed request.</param>
    /// <param name="cancellationToken">The caller's deadline and abort.</param>
    /// <returns>The addresses (at least one), or the REP code of the failure.</returns>
    /// <exception cref="OperationCanceledException">The token fired.</exception>
    public async Task<(IReadOnlyList<IPAddress> Addresses, ReplyCode? Failure)> ResolveAsync(SocksRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.AddressType != AddressType.DomainName)
        {
            var address = request.Address ?? throw new ArgumentException("An IPv4/IPv6 request carries an address.", nameof(request));
            return ([Normalize(address)], null);
        }

        var bytes = request.DomainName ?? throw new ArgumentException("A DOMAINNAME request carries a name.", nameof(request));
        if (!TryGetHostName(bytes, out var name))
        {
            return ([], ReplyCode.HostUnreachable);
        }

        if (IPAddress.TryParse(name, out var literal))
        {
            return ([Normalize(literal)], null);
        }

        var (resolved, failure) = await LookupAsync(_resolver.ResolveAsync(name, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (failure == ReplyCode.HostUnreachable && AbsoluteNameWithoutDot(name) is { } relative)
        {
            // "localhost." is the absolute form of "localhost": DNS answers both alike, but getaddrinfo's hosts-file
            // lookup matches names only without the root dot. Tried as given first (an absolute name stays absolute
            // for DNS), then without the dot.
            (resolved, failure) = await LookupAsync(_resolver.ResolveAsync(relative, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        if (failure is not null)
        {
            return ([], failure);
        }

        var addresses = resolved!.Select(Normalize).Distinct().ToList();
        return addresses.Count == 0 ? ([], ReplyCode.HostUnreachable) : (addresses, null);
    }

    /// <summary>The name without its root dot when it is an absolute name ("localhost."), else null ("a..", ".").</summary>
    private static string? AbsoluteNameWithoutDot(string name) =>
        name.Length > 1 && name[^1] == '.' && name[^2] != '.' ? name[..^1] : null;

    /// <summary>Resolves DST.ADDR of <paramref name="request"/> within the connect timeout.</summary>
    /// <param name="request">A parsed request.</param>
    /// <param name="cancellationToken">The session's abort.</param>
    /// <returns>The addresses, or the REP code of the failure (X'06' when the deadline ran out).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public Task<(IReadOnlyList<IPAddress> Addresses, ReplyCode? Failure)> ResolveWithinDeadlineAsync(SocksRequest request, CancellationToken cancellationToken) =>
        WithinDeadlineAsync(token => ResolveAsync(request, token), [], cancellationToken);

    /// <summary>Looks up the name of <paramref name="address"/> (PTR) within the connect timeout.</summary>
    /// <param name="address">The address.</param>
    /// <param name="cancellationToken">The session's abort.</param>
    /// <returns>
    /// The name as ASCII octets (1 to 255), or the REP code of the failure: X'04' when the address has no name (or
    /// none that fits a reply), X'01' when the resolver is saturated, X'06' when the deadline ran out.
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public Task<(byte[] Name, ReplyCode? Failure)> ReverseWithinDeadlineAsync(IPAddress address, CancellationToken cancellationToken) =>
        WithinDeadlineAsync(
            async token =>
            {
                var (name, failure) = await LookupAsync(_resolver.ReverseAsync(Normalize(address), token), token).ConfigureAwait(false);
                if (failure is not null)
                {
                    return ([], failure);
                }

                // Without a PTR record some resolvers hand back the address's own text: that is no name.
                var bytes = Encoding.ASCII.GetBytes(name!);
                return name!.Length is 0 or > Socks5Constants.MaxFieldLength || !TryGetHostName(bytes, out _) || IPAddress.TryParse(name, out _)
                    ? ([], ReplyCode.HostUnreachable)
                    : (bytes, (ReplyCode?)null);
            },
            [],
            cancellationToken);

    /// <summary>A DOMAINNAME as a host name: printable ASCII only.</summary>
    /// <param name="bytes">The name's octets.</param>
    /// <param name="name">The name, or empty.</param>
    /// <returns>False for a name with a NUL, a space or a control octet.</returns>
    internal static bool TryGetHostName(ReadOnlySpan<byte> bytes, out string name)
    {
        // Printable ASCII only: a NUL, a space or a control octet in a name has no meaning to DNS and would reach
        // getaddrinfo as a C string.
        foreach (var b in bytes)
        {
            if (b is < 0x21 or > 0x7E)
            {
                name = string.Empty;
                return false;
            }
        }

        name = Encoding.ASCII.GetString(bytes);
        return true;
    }

    /// <summary>Waits for a lookup started in a slot and maps its failure to a REP code.</summary>
    private static async Task<(T? Value, ReplyCode? Failure)> LookupAsync<T>(Task<T> lookup, CancellationToken cancellationToken)
    {
        try
        {
            // WaitAsync: the time limit holds even if a resolver ignores its token.
            return (await lookup.WaitAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            // Name not found, no address records, or a name the resolver rejects: the host cannot be reached by it.
            return (default, ReplyCode.HostUnreachable);
        }
        catch (ResolverSaturatedException)
        {
            // Every slot is held by lookups that have not returned (a silent DNS server): failing at once keeps the
            // client from waiting out a deadline no slot would free in time, and X'01' says the fault is here.
            return (default, ReplyCode.GeneralFailure);
        }
        catch (OperationCanceledException)
        {
            // The lookup goes on in its slot; whatever it ends with is observed, never left unobserved.
            ObserveFault(lookup);
            throw;
        }
    }

    /// <summary>Marks a fault of an abandoned task as observed.</summary>
    private static void ObserveFault(Task task) =>
        task.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private async Task<(T Value, ReplyCode? Failure)> WithinDeadlineAsync<T>(
        Func<CancellationToken, Task<(T Value, ReplyCode? Failure)>> step, T none, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_deadline, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await step(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (none, ReplyCode.TtlExpired);
        }
    }
}
