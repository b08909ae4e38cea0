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
    private McpRequest(McpCommand command, ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password)
    {
        Command = command;
        Username = username;
        Password = password;
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
    /// Gets whether <see cref="Command"/> is one of the commands the memo defines (memo §4) or one of the extensions
    /// <see cref="McpCommand"/> names (docs/mcp-protocol.md §13).
    /// </summary>
    public bool IsKnownCommand => IsDefined(Command);

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

    /// <summary>Creates a request from fields the reader has already validated.</summary>
    internal static McpRequest FromWire(McpCommand command, byte[]? username, byte[]? password) =>
        new(command, username, password);

    internal static bool IsDefined(McpCommand command) =>
        command <= McpCommand.ToggleDissector || IsDissectorExtension(command);
}
