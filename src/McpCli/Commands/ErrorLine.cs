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
}
