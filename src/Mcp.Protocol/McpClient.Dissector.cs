namespace Mcp.Protocol;

/// <summary>The dissector extensions GET_DISSECTOR (0x83) and SET_DISSECTOR (0x84), docs/mcp-protocol.md §13.4-§13.5.</summary>
public sealed partial class McpClient
{
    /// <summary>Sends GET_DISSECTOR and returns the dissector's state, changing nothing (extension, docs/mcp-protocol.md §13.4).</summary>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns><see langword="true"/> when the dissector is on, <see langword="false"/> when it is off.</returns>
    /// <exception cref="McpStatusException">
    /// The server answered a non-OK status; <see cref="McpStatus.CommandNotSupported"/> from a server without the
    /// extension (one written from the memo alone). The connection stays usable.
    /// </exception>
    /// <exception cref="McpException">Malformed response, connection closed, or connection unusable.</exception>
    public async Task<bool> GetDissectorAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(McpRequest.GetDissector, cancellationToken).ConfigureAwait(false);
        ThrowIfNotOk(response);
        return response.DissectorEnabled;
    }

    /// <summary>Sends SET_DISSECTOR and returns the state now in force (extension, docs/mcp-protocol.md §13.5).</summary>
    /// <param name="enabled"><see langword="true"/> to switch the dissector on, <see langword="false"/> to switch it off.</param>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>The state the server reports now in force; setting the state it already has is not an error.</returns>
    /// <exception cref="McpStatusException">
    /// The server answered a non-OK status; <see cref="McpStatus.CommandNotSupported"/> from a server without the
    /// extension. The connection stays usable.
    /// </exception>
    /// <exception cref="McpException">Malformed response, connection closed, or connection unusable.</exception>
    public async Task<bool> SetDissectorAsync(bool enabled, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(McpRequest.SetDissector(enabled), cancellationToken).ConfigureAwait(false);
        ThrowIfNotOk(response);
        return response.DissectorEnabled;
    }
}
