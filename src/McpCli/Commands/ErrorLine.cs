namespace McpCli.Commands;

/// <summary>The one stderr line every failure produces: <c>mcpctl: problem</c>.</summary>
internal static class ErrorLine
{
    /// <summary>Writes <c>mcpctl: </c> and the message with any line breaks or control characters flattened.</summary>
    public static void Write(TextWriter stderr, string message)
    {
        var flat = string.Create(message.Length, message, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = char.IsControl(text[i]) ? ' ' : text[i];
            }
        });
        stderr.WriteLine("mcpctl: " + flat);
    }

    /// <summary>
    /// Library and OS messages are sentences ("The server closed the connection."); the error line is
    /// a clause: first letter lowered (unless it starts an acronym like GET_METRICS), final period dropped.
    /// </summary>
    public static string Clause(string message)
    {
        var text = message.TrimEnd('.', ' ');
        return text.Length >= 2 && char.IsUpper(text[0]) && char.IsLower(text[1])
            ? char.ToLowerInvariant(text[0]) + text[1..]
            : text;
    }
}
