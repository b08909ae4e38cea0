namespace McpCli.Output;

/// <summary>
/// Turns bytes from the server (user names) into text that is safe to print on a terminal and
/// unambiguous: valid UTF-8 prints as itself, everything else becomes a visible escape.
/// </summary>
/// <remarks>
/// The one escaping rule of the product (<see cref="HostileText"/>, docs/mcpctl.md "Output"): each byte of
/// ill-formed UTF-8, each ASCII control character (C0, DEL), the backslash, and each UTF-8 byte of another
/// control, format (bidi overrides, zero-width), line/paragraph separator, private-use or unassigned character
/// becomes <c>\xHH</c>; so an escape can never be confused with a name that really contains a backslash.
/// </remarks>
internal static class SafeText
{
    /// <summary>Escapes a UTF-8 byte string for display.</summary>
    public static string Escape(ReadOnlySpan<byte> utf8) => HostileText.Escape(utf8);

    /// <summary>Escapes a string (for example a user name from the command line) for display.</summary>
    public static string Escape(string text) => HostileText.Escape(text);
}
