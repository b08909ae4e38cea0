using System.Globalization;
using System.Net;

namespace McpCli.Commands;

/// <summary>The validated common options of one run.</summary>
/// <param name="Host">Server host name or address.</param>
/// <param name="Port">Server port, 1-65535.</param>
/// <param name="Timeout">Upper bound for connecting plus the command.</param>
/// <param name="Json">Print JSON instead of text.</param>
/// <param name="SocketPath">The Unix socket to connect to instead of <paramref name="Host"/> and <paramref name="Port"/>, or null for TCP.</param>
internal sealed record CommandSettings(string Host, int Port, TimeSpan Timeout, bool Json, string? SocketPath = null)
{
    /// <summary><c>127.0.0.1:8080</c>, <c>[::1]:8080</c> for an IPv6 literal, or <c>unix:/run/socks5d/mcp.sock</c>.</summary>
    public string Endpoint => SocketPath is { } path
        ? "unix:" + path
        : Host.Contains(':', StringComparison.Ordinal)
            ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Gets a value indicating whether the server is on this host for sure (a Unix socket, a loopback address or
    /// <c>localhost</c>), so that it sees this process's uid.
    /// </summary>
    public bool IsLocal => SocketPath is not null
        || string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary><c>5 s</c>, <c>0.5 s</c>.</summary>
    public string TimeoutText => Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
