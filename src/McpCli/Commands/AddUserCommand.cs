using System.Security.Cryptography;
using System.Text.Json;
using Mcp.Protocol;
using McpCli.Output;

namespace McpCli.Commands;

/// <summary><c>add-user</c>: ADD_USER (memo §4.3).</summary>
internal sealed class AddUserCommand : ClientCommand<bool>
{
    private readonly byte[] _user;
    private readonly byte[] _password;
    private readonly string _displayName;

    /// <summary>Creates the command for a validated user name and password (1-255 UTF-8 bytes each).</summary>
    public AddUserCommand(Func<CancellationToken, Task<McpClient>> connect, TextWriter stdout, TextWriter stderr, CommandSettings settings, byte[] user, byte[] password)
        : base(connect, stdout, stderr, settings)
    {
        _user = user;
        _password = password;
        _displayName = SafeText.Escape(user);
    }

    /// <inheritdoc />
    protected override string Verb => "add-user";

    /// <inheritdoc />
    protected override async Task<bool> CallAsync(McpClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.AddUserAsync(_user, _password, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            // The password has been sent (or never will be): do not keep it around in memory.
            CryptographicOperations.ZeroMemory(_password);
        }
    }

    /// <inheritdoc />
    protected override void WriteText(bool result) => Stdout.WriteLine($"user '{_displayName}' added");

    /// <inheritdoc />
    protected override void WriteJson(bool result, Utf8JsonWriter json) => UserJson.Write(json, _user, "added");

    /// <inheritdoc />
    protected override string? DescribeStatus(McpStatus status) => status switch
    {
        McpStatus.UserExists => $"user '{_displayName}' already exists (USER_EXISTS)",
        McpStatus.UserLimit => $"cannot add user '{_displayName}': the server's user limit is reached (USER_LIMIT)",
        McpStatus.Error => $"the server could not add user '{_displayName}' (ERROR)",
        _ => null,
    };
}
