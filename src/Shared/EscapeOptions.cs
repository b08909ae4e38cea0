namespace Socks.Shared;

/// <summary>The extra rules a place adds to <see cref="HostileText"/>'s one escaping rule.</summary>
[Flags]
internal enum EscapeOptions
{
    /// <summary>The rule alone: readable UTF-8 is kept, everything dangerous becomes <c>\xHH</c>.</summary>
    None = 0,

    /// <summary>
    /// Every byte at or above 0x80 is escaped, well-formed UTF-8 included: for formats that are ASCII-only (the
    /// access log and the credentials log, docs/access-log.md).
    /// </summary>
    AsciiOnly = 1,

    /// <summary>
    /// Backslash, TAB, LF and CR are written <c>\\</c>, <c>\t</c>, <c>\n</c> and <c>\r</c> instead of
    /// <c>\x5C</c>, <c>\x09</c>, <c>\x0A</c> and <c>\x0D</c>: the access log's documented short forms.
    /// </summary>
    ShortEscapes = 2,

    /// <summary>The double quote is escaped too (<c>\x22</c>), for a value that is written between quotes.</summary>
    Quote = 4,

    /// <summary>A value that is exactly <c>-</c> is written <c>\x2D</c>, so it cannot be mistaken for the mark of an absent value.</summary>
    LoneDash = 8,
}
