namespace Mcp.Protocol;

/// <summary>
/// One MCP response: the status the server answered and, for a successful GET_METRICS, LIST_USERS or
/// TOGGLE_DISECTOR, its typed payload (MCP memo §3, §4, §5).
/// </summary>
/// <remarks>
/// <para>A response on the wire carries no command byte: the second header byte is the status (memo §5). The
/// <see cref="Command"/> kept here is the command being answered, which the writer needs to pick the payload layout
/// and which the reader is told by its caller.</para>
/// <para>Responses with a non-OK status have an empty payload when we write them; when we read them, any payload is
/// skipped (docs/mcp-protocol.md, "Errors").</para>
/// <para>The default value is a successful GET_METRICS response with all counters zero.</para>
/// </remarks>
public readonly partial struct McpResponse
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>>? _users;

    private McpResponse(
        McpCommand command,
        McpStatus status,
        McpMetrics metrics = default,
        IReadOnlyList<ReadOnlyMemory<byte>>? users = null,
        bool dissectorEnabled = false,
        ReadOnlyMemory<byte> payload = default)
    {
        Payload = payload;
        Command = command;
        Status = status;
        Metrics = metrics;
        _users = users;
        DissectorEnabled = dissectorEnabled;
    }

    /// <summary>Gets the command this response answers. It is not on the wire (memo §5).</summary>
    public McpCommand Command { get; }

    /// <summary>Gets the status byte (memo §5). It may be a value <see cref="McpStatus"/> does not define when read from the wire.</summary>
    public McpStatus Status { get; }

    /// <summary>Gets whether <see cref="Status"/> is <see cref="McpStatus.Ok"/>.</summary>
    public bool IsOk => Status == McpStatus.Ok;

    /// <summary>Gets the counters of a successful GET_METRICS response (memo §4.1); all zero otherwise.</summary>
    public McpMetrics Metrics { get; }

    /// <summary>Gets the user names of a successful LIST_USERS response, in wire order (memo §4.2); empty otherwise.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Users => _users ?? [];

    /// <summary>
    /// Gets the STATE of a successful TOGGLE_DISECTOR, GET_DISSECTOR or SET_DISSECTOR response: <see langword="true"/>
    /// when the dissector is now on (memo §4.5, docs/mcp-protocol.md §13.4, §13.5).
    /// </summary>
    public bool DissectorEnabled { get; }

    /// <summary>Creates a successful GET_METRICS response (memo §4.1).</summary>
    /// <param name="metrics">The six counters.</param>
    /// <returns>The response.</returns>
    public static McpResponse FromMetrics(McpMetrics metrics) =>
        new(McpCommand.GetMetrics, McpStatus.Ok, metrics: metrics);

    /// <summary>Creates a successful LIST_USERS response (memo §4.2). The list and its memory are referenced, not copied.</summary>
    /// <param name="users">At most 255 user names, each 1 to 255 bytes.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="users"/> is null.</exception>
    /// <exception cref="ArgumentException">More than 255 users, or a name that is empty or longer than 255 bytes.</exception>
    public static McpResponse FromUsers(IReadOnlyList<ReadOnlyMemory<byte>> users)
    {
        ValidateUsers(users);
        return new McpResponse(McpCommand.ListUsers, McpStatus.Ok, users: users);
    }

    /// <summary>Creates a successful TOGGLE_DISECTOR response (memo §4.5).</summary>
    /// <param name="enabled">The dissector's state after the toggle.</param>
    /// <returns>The response.</returns>
    public static McpResponse FromDissectorState(bool enabled) =>
        new(McpCommand.ToggleDissector, McpStatus.Ok, dissectorEnabled: enabled);

    /// <summary>Gets the raw payload of a successful response to an extension command (0x80-0xFE); empty otherwise.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>
    /// Creates a successful response to an extension command (docs/mcp-protocol.md §13) with its payload as is (see
    /// <see cref="McpExtensionCodec"/>). The memory is referenced, not copied.
    /// </summary>
    /// <param name="command">The extension command answered, 0x80 to 0xFE.</param>
    /// <param name="payload">The payload, at most 65535 bytes.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentException"><paramref name="command"/> is not in the extension range, or the payload is too long.</exception>
    public static McpResponse Extension(McpCommand command, ReadOnlyMemory<byte> payload)
    {
        if (!McpRequest.IsExtension(command))
        {
            throw new ArgumentException($"{McpNames.GetName(command)} is not an extension command (0x80-0xFE).", nameof(command));
        }

        if (payload.Length > McpConstants.MaxPayloadLength)
        {
            throw new ArgumentException($"A payload is at most {McpConstants.MaxPayloadLength} bytes; got {payload.Length}.", nameof(payload));
        }

        return new McpResponse(command, McpStatus.Ok, payload: payload);
    }

    /// <summary>Creates an extension response read from the wire.</summary>
    internal static McpResponse FromWireExtension(McpCommand command, byte[] payload) => new(command, McpStatus.Ok, payload: payload);

    /// <summary>Creates a successful ADD_USER or REMOVE_USER response, which has an empty payload (memo §4.3, §4.4).</summary>
    /// <param name="command"><see cref="McpCommand.AddUser"/> or <see cref="McpCommand.RemoveUser"/>.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentException">Another command: its successful response has a payload, or it is unknown.</exception>
    public static McpResponse Success(McpCommand command)
    {
        if (command is not (McpCommand.AddUser or McpCommand.RemoveUser))
        {
            throw new ArgumentException(
                $"A successful {McpNames.GetName(command)} response cannot be empty; use the factory for its payload.",
                nameof(command));
        }

        return new McpResponse(command, McpStatus.Ok);
    }

    /// <summary>Creates a non-OK response, which has an empty payload (memo §5).</summary>
    /// <param name="command">The command being answered, known or not.</param>
    /// <param name="status">Any status except <see cref="McpStatus.Ok"/>.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentException"><paramref name="status"/> is <see cref="McpStatus.Ok"/>.</exception>
    public static McpResponse Failure(McpCommand command, McpStatus status)
    {
        if (status == McpStatus.Ok)
        {
            throw new ArgumentException("A failure needs a status other than OK.", nameof(status));
        }

        return new McpResponse(command, status);
    }

    /// <summary>Creates a response without payload from the reader: a non-OK status, or OK for a command without response payload.</summary>
    internal static McpResponse FromWire(McpCommand command, McpStatus status) => new(command, status);

    /// <summary>Creates a successful LIST_USERS response from names the reader has already validated.</summary>
    internal static McpResponse FromWireUsers(ReadOnlyMemory<byte>[] users) =>
        new(McpCommand.ListUsers, McpStatus.Ok, users: users);

    internal static void ValidateUsers(IReadOnlyList<ReadOnlyMemory<byte>> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (users.Count > McpConstants.MaxUsers)
        {
            throw new ArgumentException(
                $"LIST_USERS can report at most {McpConstants.MaxUsers} users (COUNT is one byte); got {users.Count}.",
                nameof(users));
        }

        for (var i = 0; i < users.Count; i++)
        {
            McpArguments.ThrowIfInvalidCredential(users[i].Length, $"user name at index {i}", nameof(users));
        }
    }
}
