namespace ProxyHost.Management;

/// <summary>Makes client-chosen bytes (user names) safe to put into a log line.</summary>
internal static class LogText
{
    /// <summary>
    /// Renders a user name for the log with the one escaping rule (<see cref="HostileText"/>): well-formed UTF-8
    /// stays readable; ill-formed bytes, control and format characters (which could reorder or hide text, e.g.
    /// U+202E), line and paragraph separators, private-use and unassigned code points, backslashes and, because
    /// names are quoted in some messages, double quotes become <c>\xHH</c> per byte. The result is one line that
    /// cannot forge another log entry, and different names give different texts.
    /// </summary>
    /// <param name="name">The raw name.</param>
    /// <returns>The escaped text, without quotes around it.</returns>
    public static string EscapeName(ReadOnlySpan<byte> name) => HostileText.Escape(name, EscapeOptions.Quote);
}
