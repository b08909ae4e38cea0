namespace Mcp.Protocol;

/// <summary>Responses of the dissector extensions (docs/mcp-protocol.md §13.4-§13.5).</summary>
public readonly partial struct McpResponse
{
    /// <summary>
    /// Creates a successful response carrying the dissector's STATE: to TOGGLE_DISECTOR (memo §4.5), GET_DISSECTOR or
    /// SET_DISSECTOR (docs/mcp-protocol.md §13.4, §13.5), which share that one-byte layout.
    /// </summary>
    /// <param name="command"><see cref="McpCommand.ToggleDissector"/>, <see cref="McpCommand.GetDissector"/> or <see cref="McpCommand.SetDissector"/>.</param>
    /// <param name="enabled">The dissector's state now in force.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentException">Another command, whose successful response does not carry STATE.</exception>
    public static McpResponse FromDissectorState(McpCommand command, bool enabled)
    {
        if (!CarriesDissectorState(command))
        {
            throw new ArgumentException(
                $"A successful {McpNames.GetName(command)} response does not carry the dissector's STATE.", nameof(command));
        }

        return new McpResponse(command, McpStatus.Ok, dissectorEnabled: enabled);
    }

    internal static bool CarriesDissectorState(McpCommand command) =>
        command is McpCommand.ToggleDissector or McpCommand.GetDissector or McpCommand.SetDissector;
}
