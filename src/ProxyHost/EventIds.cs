namespace ProxyHost;

/// <summary>
/// socks5d's part of the product's event-id table (the whole table, with the engine's ranges, is in
/// <c>Socks.Core.EventIds</c>): the first id of each component's range, <see cref="RangeSize"/> ids wide. Every
/// <c>[LoggerMessage]</c> of a folder takes its id from its folder's range, so no two messages in socks5d's log
/// share an id. tests/ProxyHost.Tests/EventIdTests.cs enforces it, across both assemblies.
/// </summary>
/// <remarks>
/// <code>
///   1- 99  Hosting     host (1-19), users and management plane (20-39), log sinks (40-59)
/// 300-399  Management  the MCP listener
/// 1000-1099 Metrics    the Prometheus endpoint and the OTLP exporter
/// </code>
/// Socks.Core owns 100-299, 400-899 and 5000-5199.
/// </remarks>
internal static class EventIds
{
    /// <summary>How many ids a component owns, from its first.</summary>
    public const int RangeSize = 100;

    /// <summary>Hosting/ (1-99; 0 is not used, it means "no id").</summary>
    public const int Hosting = 0;

    /// <summary>Management/: the MCP listener (300-399).</summary>
    public const int Management = 300;

    /// <summary>Metrics/: the Prometheus endpoint and the OTLP exporter (1000-1099).</summary>
    public const int Metrics = 1000;
}
