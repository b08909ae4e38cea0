using System.Text;
using System.Text.Json;
using Mcp.Protocol;
using McpCli.Output;

namespace McpCli.Commands;

/// <summary><c>list-users</c>: LIST_USERS (memo §4.2), one name per line or a JSON array.</summary>
internal sealed class ListUsersCommand(Func<CancellationToken, Task<McpClient>> connect, TextWriter stdout, TextWriter stderr, CommandSettings settings)
    : ClientCommand<IReadOnlyList<byte[]>>(connect, stdout, stderr, settings)
{
    /// <inheritdoc />
    protected override string Verb => "list-users";

    /// <inheritdoc />
    protected override Task<IReadOnlyList<byte[]>> CallAsync(McpClient client, CancellationToken cancellationToken) =>
        client.ListUsersAsync(cancellationToken);

    /// <inheritdoc />
    protected override void WriteText(IReadOnlyList<byte[]> result)
    {
        if (result.Count == 0)
        {
            // stdout stays empty so `mcpctl list-users | wc -l` counts 0; the note is for people.
            Stderr.WriteLine("no users");
            return;
        }

        foreach (var name in result)
        {
            Stdout.WriteLine(SafeText.Escape(name));
        }
    }

    /// <inheritdoc />
    protected override void WriteJson(IReadOnlyList<byte[]> result, Utf8JsonWriter json)
    {
        json.WriteStartArray("users");
        foreach (var name in result)
        {
            // JSON strings are Unicode: a name that is not valid UTF-8 gets U+FFFD for each bad sequence.
            json.WriteStringValue(Encoding.UTF8.GetString(name));
        }

        json.WriteEndArray();
    }
}
