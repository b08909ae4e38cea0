using System.Text;
using System.Text.Json;

namespace McpCli.Commands;

/// <summary>The <c>--json</c> answer of add-user and remove-user.</summary>
internal static class UserJson
{
    /// <summary><c>{"ok":true,"user":"alice","action":"added"}</c>.</summary>
    public static void Write(Utf8JsonWriter json, byte[] user, string action)
    {
        json.WriteBoolean("ok", true);
        json.WriteString("user", Encoding.UTF8.GetString(user));
        json.WriteString("action", action);
    }
}
