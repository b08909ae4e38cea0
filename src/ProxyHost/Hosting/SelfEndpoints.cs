using System.Net;
using ProxyHost.Management;
using Socks.Core;

namespace ProxyHost.Hosting;

/// <summary>
/// The proxy's own listening endpoints (SOCKS and MCP), which SOCKS clients must not CONNECT to (docs/socks5d.8,
/// "SELF-PROTECTION"). The destination policy reads <see cref="Current"/> at every dial: the policy is part of the
/// server options, made before either listener is bound, and a port 0 is known only once bound.
/// </summary>
internal sealed class SelfEndpoints
{
    private SocksServer? _socks;
    private McpManagementServer? _management;

    /// <summary>Names the listeners; call before starting them, so no client is served before they are protected.</summary>
    /// <param name="socks">The SOCKS server.</param>
    /// <param name="management">The MCP listener.</param>
    public void Attach(SocksServer socks, McpManagementServer management)
    {
        Volatile.Write(ref _socks, socks);
        Volatile.Write(ref _management, management);
    }

    /// <summary>The endpoints bound now (none before the listeners start). Thread-safe, never throws.</summary>
    /// <returns>The SOCKS endpoints, then the MCP endpoint.</returns>
    public IEnumerable<IPEndPoint> Current()
    {
        if (Volatile.Read(ref _socks) is { } socks)
        {
            foreach (var endpoint in socks.LocalEndPoints)
            {
                yield return endpoint;
            }
        }

        if (Volatile.Read(ref _management)?.BoundEndPoint is { } management)
        {
            yield return management;
        }
    }
}
