namespace Mcp.Protocol;

/// <summary>One USER_STATS response (docs/mcp-protocol.md §13.1): TOTAL, START and the entries from START on.</summary>
public sealed class McpUserStatsPage
{
    /// <summary>Creates a page.</summary>
    /// <param name="total">TOTAL: users the server has.</param>
    /// <param name="start">START: the index of the first entry.</param>
    /// <param name="entries">The entries (COUNT of them).</param>
    public McpUserStatsPage(byte total, byte start, IReadOnlyList<McpUserStatsEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Total = total;
        Start = start;
        Entries = entries;
    }

    /// <summary>Gets TOTAL: how many users the server has.</summary>
    public byte Total { get; }

    /// <summary>Gets START: the index of the first entry of this page.</summary>
    public byte Start { get; }

    /// <summary>Gets the entries of this page, in the server's order (by name, ordinal bytes).</summary>
    public IReadOnlyList<McpUserStatsEntry> Entries { get; }

    /// <summary>Gets whether this is the last page: START + COUNT &gt;= TOTAL.</summary>
    public bool IsLast => Start + Entries.Count >= Total;
}
