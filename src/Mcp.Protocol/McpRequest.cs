namespace Mcp.Protocol;

/// <summary>
/// One MCP request: a command and, for ADD_USER and REMOVE_USER, its credentials (MCP memo §3, §4).
/// </summary>
/// <remarks>
/// <para>Create requests with the static members; they validate their arguments, so a request that exists can be
/// written. <see cref="McpRequestReader"/> produces requests from the wire, including requests whose command byte is
/// not defined (<see cref="IsKnownCommand"/> is <see langword="false"/>).</para>
/// <para>The default value is a GET_METRICS request.</para>
/// </remarks>
public readonly partial struct McpRequest
{
    private McpRequest(McpCommand command, ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, ReadOnlyMemory<byte> payload = default)
    {
        Command = command;
        Username = username;
        Password = password;
        Payload = payload;
    }

    /// <summary>Gets a GET_METRICS request (memo §4.1).</summary>
    public static McpRequest GetMetrics => new(McpCommand.GetMetrics, default, default);

    /// <summary>Gets a LIST_USERS request (memo §4.2).</summary>
    public static McpRequest ListUsers => new(McpCommand.ListUsers, default, default);

    /// <summary>Gets a TOGGLE_DISECTOR request (memo §4.5).</summary>
    public static McpRequest ToggleDissector => new(McpCommand.ToggleDissector, default, default);

    /// <summary>
    /// Gets the command byte (CMD). It may be a value that <see cref="McpCommand"/> does not define when the request
    /// was read from the wire or made with <see cref="WithoutPayload"/>.
    /// </summary>
    public McpCommand Command { get; }

    /// <summary>
    /// Gets whether <see cref="Command"/> is one of the commands the memo defines (memo §4) or GET_DISSECTOR or
    /// SET_DISSECTOR (docs/mcp-protocol.md §13.4-§13.5); the other extensions carry a raw payload
    /// (<see cref="IsExtensionCommand"/>) and a server decides whether it serves them.
    /// </summary>
    public bool IsKnownCommand => IsDefined(Command);

    /// <summary>
    /// Gets whether <see cref="Command"/> is in the extension range 0x80-0xFE (docs/mcp-protocol.md §13) and carries its
    /// payload as is in <see cref="Payload"/>, for the extension's own reader: every extension but GET_DISSECTOR and
    /// SET_DISSECTOR, whose STATE is read into <see cref="DissectorEnabled"/>.
    /// </summary>
    public bool IsExtensionCommand => IsExtension(Command);

    /// <summary>Gets the raw payload of an extension command (<see cref="IsExtensionCommand"/>); empty for the memo's commands.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Gets the user name (USERNAME) of an ADD_USER or REMOVE_USER request; empty for other commands.</summary>
    public ReadOnlyMemory<byte> Username { get; }

    /// <summary>Gets the password (PASSWORD) of an ADD_USER request; empty for other commands.</summary>
    public ReadOnlyMemory<byte> Password { get; }

    /// <summary>
    /// Gets the STATE of a SET_DISSECTOR request: <see langword="true"/> to switch the dissector on,
    /// <see langword="false"/> to switch it off (docs/mcp-protocol.md §13.5); <see langword="false"/> for other commands.
    /// </summary>
    public bool DissectorEnabled { get; private init; }

    /// <summary>Creates an ADD_USER request (memo §4.3). The memory is referenced, not copied.</summary>
    /// <param name="username">The user name, 1 to 255 bytes.</param>
    /// <param name="password">The password, 1 to 255 bytes.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">A credential is empty or longer than 255 bytes.</exception>
    public static McpRequest AddUser(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password)
    {
        McpArguments.ThrowIfInvalidCredential(username.Length, "user name", nameof(username));
        McpArguments.ThrowIfInvalidCredential(password.Length, "password", nameof(password));
        return new McpRequest(McpCommand.AddUser, username, password);
    }

    /// <summary>Creates a REMOVE_USER request (memo §4.4). The memory is referenced, not copied.</summary>
    /// <param name="username">The user name, 1 to 255 bytes.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The user name is empty or longer than 255 bytes.</exception>
    public static McpRequest RemoveUser(ReadOnlyMemory<byte> username)
    {
        McpArguments.ThrowIfInvalidCredential(username.Length, "user name", nameof(username));
        return new McpRequest(McpCommand.RemoveUser, username, default);
    }

    /// <summary>
    /// Creates a request with an empty payload: GET_METRICS, LIST_USERS, TOGGLE_DISECTOR, GET_DISSECTOR, or a command
    /// byte nobody defines (useful to probe how a server answers unknown commands).
    /// </summary>
    /// <param name="command">The command byte.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException"><paramref name="command"/> is ADD_USER, REMOVE_USER or SET_DISSECTOR, which need a payload.</exception>
    public static McpRequest WithoutPayload(McpCommand command)
    {
        if (command is McpCommand.AddUser or McpCommand.RemoveUser or McpCommand.SetDissector)
        {
            throw new ArgumentException($"{McpNames.GetName(command)} needs a payload; use {nameof(AddUser)}, {nameof(RemoveUser)} or {nameof(SetDissector)}.", nameof(command));
        }

        return new McpRequest(command, default, default);
    }

    /// <summary>
    /// Creates a request of an extension command (0x80-0xFE, docs/mcp-protocol.md §13) with its payload as is; the
    /// extension's writer (for example <see cref="McpExtensionCodec"/>) builds the payload. The memory is referenced, not copied.
    /// </summary>
    /// <param name="command">The command byte, 0x80 to 0xFE.</param>
    /// <param name="payload">The payload, at most 65535 bytes.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException"><paramref name="command"/> is not in the extension range, or the payload is too long.</exception>
    public static McpRequest Extension(McpCommand command, ReadOnlyMemory<byte> payload)
    {
        if (!IsExtension(command))
        {
            throw new ArgumentException($"{McpNames.GetName(command)} is not an extension command (0x80-0xFE).", nameof(command));
        }

        if (payload.Length > McpConstants.MaxPayloadLength)
        {
            throw new ArgumentException($"A payload is at most {McpConstants.MaxPayloadLength} bytes; got {payload.Length}.", nameof(payload));
        }

        return new McpRequest(command, default, default, payload);
    }

    /// <summary>Creates an extension request read from the wire.</summary>
    internal static McpRequest FromWireExtension(McpCommand command, byte[] payload) => new(command, default, default, payload);

    /// <summary>
    /// Whether a command byte is in the extension range 0x80-0xFE (0xFF stays unsupported) and carried as a raw payload:
    /// all of it but the dissector extensions, which have their own fields (<see cref="DissectorEnabled"/>).
    /// </summary>
    internal static bool IsExtension(McpCommand command) =>
        command is >= (McpCommand)0x80 and <= (McpCommand)0xFE && !IsDissectorExtension(command);

    /// <summary>Creates a request from fields the reader has already validated.</summary>
    internal static McpRequest FromWire(McpCommand command, byte[]? username, byte[]? password) =>
        new(command, username, password);

    internal static bool IsDefined(McpCommand command) =>
        command <= McpCommand.ToggleDissector || IsDissectorExtension(command);
}
