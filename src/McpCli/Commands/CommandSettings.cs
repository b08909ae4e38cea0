using System.Globalization;

namespace McpCli.Commands;

/// <summary>The validated common options of one run.</summary>
/// <param name="Host">Server host name or address.</param>
/// <param name="Port">Server port, 1-65535.</param>
/// <param name="Timeout">Upper bound for connecting plus the command.</param>
/// <param name="Json">Print JSON instead of text.</param>
internal sealed record CommandSettings(string Host, int Port, TimeSpan Timeout, bool Json)
{
    /// <summary><c>127.0.0.1:8080</c>, or <c>[::1]:8080</c> for an IPv6 literal.</summary>
    public string Endpoint => Host.Contains(':', StringComparison.Ordinal)
        ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary><c>5 s</c>, <c>0.5 s</c>.</summary>
    public string TimeoutText => Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
