namespace Mcp.Protocol;

/// <summary>The PERIOD byte of the limits extension (docs/mcp-protocol.md §13.1-§13.3): what a quota counts over.</summary>
public enum McpQuotaPeriod : byte
{
    /// <summary>0x00: no quota.</summary>
    None = 0x00,

    /// <summary>0x01: the UTC calendar day.</summary>
    Day = 0x01,

    /// <summary>0x02: the UTC calendar month.</summary>
    Month = 0x02,
}
