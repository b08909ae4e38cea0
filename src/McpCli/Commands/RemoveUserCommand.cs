using System.Text.Json;
using Mcp.Protocol;
using McpCli.Output;

namespace McpCli.Commands;

/// <summary><c>remove-user</c>: REMOVE_USER (memo §4.4).</summary>
internal sealed class RemoveUserCommand : ClientCommand<bool>
{
    private readonly byte[] _user;
    private readonly string _displayName;

    /// <summary>Creates the command for a validated user name (1-255 UTF-8 bytes).</summary>
    public RemoveUserCommand(Func<CancellationToken, Task<McpClient>> connect, TextWriter stdout, TextWriter stderr, CommandSettings settings, byte[] user)
        : base(connect, stdout, stderr, settings)
    {
        _user = user;
        _displayName = SafeText.Escape(user);
    }

    /// <inheritdoc />
    protected override string Verb => "remove-user";

    /// <inheritdoc />
    protected override async Task<bool> CallAsync(McpClient client, CancellationToken cancellationToken)
    {
        await client.RemoveUserAsync(_user, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    protected override void WriteText(bool result) => Stdout.WriteLine($"user '{_displayName}' removed");

    /// <inheritdoc />
    protected override void WriteJson(bool result, Utf8JsonWriter json) => UserJson.Write(json, _user, "removed");

    /// <inheritdoc />
    protected override string? DescribeStatus(McpStatus status) => status switch
    {
        McpStatus.UserNotFound => $"user '{_displayName}' does not exist (USER_NOT_FOUND)",
        McpStatus.Error => $"the server could not remove user '{_displayName}' (ERROR)",
        _ => null,
    };
}
