namespace Socks.Core.Limits;

/// <summary>The period a traffic quota counts over: UTC calendar days or months (the values are MCP's PERIOD byte, docs/mcp-protocol.md §13).</summary>
public enum QuotaPeriod : byte
{
    /// <summary>No quota.</summary>
    None = 0,

    /// <summary>The UTC calendar day: the count starts again at 00:00 UTC.</summary>
    Day = 1,

    /// <summary>The UTC calendar month: the count starts again at 00:00 UTC on the first of the month.</summary>
    Month = 2,
}
