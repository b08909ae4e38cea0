namespace Mcp.Protocol;

/// <summary>The dissector extensions GET_DISSECTOR (0x83) and SET_DISSECTOR (0x84), docs/mcp-protocol.md §13.4-§13.5.</summary>
public readonly partial struct McpRequest
{
    /// <summary>Gets a GET_DISSECTOR request (extension 0x83, docs/mcp-protocol.md §13.4): reads the state, changes nothing.</summary>
    public static McpRequest GetDissector => new(McpCommand.GetDissector, default, default);

    /// <summary>Creates a SET_DISSECTOR request (extension 0x84, docs/mcp-protocol.md §13.5).</summary>
    /// <param name="enabled"><see langword="true"/> for STATE 0x01 (on), <see langword="false"/> for 0x00 (off).</param>
    /// <returns>The request.</returns>
    public static McpRequest SetDissector(bool enabled) =>
        new(McpCommand.SetDissector, default, default) { DissectorEnabled = enabled };

    /// <summary>Creates a SET_DISSECTOR request from a STATE the reader has already validated.</summary>
    internal static McpRequest FromWireSetDissector(bool enabled) => SetDissector(enabled);

    private static bool IsDissectorExtension(McpCommand command) =>
        command is McpCommand.GetDissector or McpCommand.SetDissector;
}
