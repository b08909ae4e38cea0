namespace Socks.Core.Dissectors;

/// <summary>
/// Reads the three-digit replies of FTP (RFC 959 §4.2) and SMTP (RFC 5321 §4.2): <c>ddd text</c>, or a
/// multi-line reply that starts with <c>ddd-text</c> and ends with a line starting <c>ddd</c> and a space
/// (or holding only <c>ddd</c>). Lines in between (FTP allows any text there) are not replies.
/// </summary>
/// <remarks>A mutable struct; keep it in a field.</remarks>
internal struct NumericReplyReader
{
    // The code of the multi-line reply in progress, or 0.
    private int _continuing;

    /// <summary>Reads one server line.</summary>
    /// <param name="line">The line without its line end.</param>
    /// <returns>The reply code once a reply is complete; 0 for a line inside a multi-line reply; -1 for a line that is no reply.</returns>
    public int Read(ReadOnlySpan<byte> line)
    {
        var code = ParseCode(line);
        if (_continuing != 0)
        {
            if (code == _continuing && (line.Length == 3 || line[3] == (byte)' '))
            {
                _continuing = 0;
                return code;
            }

            return 0;
        }

        if (code < 0)
        {
            return -1;
        }

        if (line.Length > 3 && line[3] == (byte)'-')
        {
            _continuing = code;
            return 0;
        }

        return line.Length == 3 || line[3] == (byte)' ' ? code : -1;
    }

    /// <summary>Forgets a multi-line reply in progress (server bytes went by unseen).</summary>
    public void Reset() => _continuing = 0;

    /// <summary>The outcome a reply code gives a credential: 2yz accepted, 4yz and 5yz rejected.</summary>
    /// <param name="code">The reply code.</param>
    /// <returns>The outcome.</returns>
    public static CredentialOutcome Outcome(int code) => (code / 100) switch
    {
        2 => CredentialOutcome.Accepted,
        4 or 5 => CredentialOutcome.Rejected,
        _ => CredentialOutcome.Unknown,
    };

    private static int ParseCode(ReadOnlySpan<byte> line)
    {
        if (line.Length < 3 || line[0] is < (byte)'1' or > (byte)'5' || !char.IsAsciiDigit((char)line[1]) || !char.IsAsciiDigit((char)line[2]))
        {
            return -1;
        }

        return ((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0');
    }
}
