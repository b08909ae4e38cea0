namespace Socks.Core.Dissectors.Pop3;

/// <summary>
/// Parses POP3 client lines into <see cref="Pop3ClientLine"/>s: the AUTHORIZATION-state commands that
/// carry credentials (RFC 1939 §7 USER, PASS, APOP; RFC 5034 AUTH PLAIN) and the commands whose answer
/// matters to the watch (CAPA, STLS, TRANSACTION-state commands).
/// </summary>
/// <remarks>
/// A mutable struct with one bit of state: after <c>AUTH PLAIN</c> without an initial response, the
/// next client line is also decoded as a SASL PLAIN response. Keep it in a field.
/// </remarks>
internal struct Pop3CommandParser
{
    private static readonly byte[] Plain = "PLAIN"u8.ToArray();

    private readonly TimeProvider _time;

    // The next client line is the response to "AUTH PLAIN" without initial response.
    private bool _expectsPlainResponse;

    /// <summary>Creates a parser.</summary>
    /// <param name="time">The clock for the time a credential went by.</param>
    public Pop3CommandParser(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Forgets that a SASL PLAIN response is expected (the exchange was lost).</summary>
    public void Reset() => _expectsPlainResponse = false;

    /// <summary>
    /// Parses a client line as a command, and, when it follows "AUTH PLAIN" without an initial
    /// response, also as a SASL PLAIN response: which one it was is known only once the server's
    /// answer to the AUTH command is matched.
    /// </summary>
    /// <param name="line">The line without its line end.</param>
    /// <returns>The parsed line.</returns>
    public Pop3ClientLine Parse(ReadOnlySpan<byte> line)
    {
        var unit = new Pop3ClientLine();
        if (_expectsPlainResponse)
        {
            _expectsPlainResponse = false;
            if (TryDecodePlain(line, out var user, out var password))
            {
                unit.SaslUser = user;
                unit.SaslSecret = password;
                unit.Time = _time.GetUtcNow();
            }
        }

        var space = line.IndexOf((byte)' ');
        var verb = space < 0 ? line : line[..space];
        var argument = space < 0 ? [] : line[(space + 1)..];
        var hasArgument = !argument.IsEmpty;

        if (AsciiCase.EqualsIgnoreCase(verb, "USER"u8))
        {
            unit.Kind = Pop3CommandKind.User;
            unit.User = argument.ToArray();
        }
        else if (AsciiCase.EqualsIgnoreCase(verb, "PASS"u8))
        {
            // RFC 1939 §7: the password is the rest of the line; it may contain spaces.
            unit.Kind = Pop3CommandKind.Pass;
            unit.Secret = argument.ToArray();
            unit.Time = _time.GetUtcNow();
        }
        else if (AsciiCase.EqualsIgnoreCase(verb, "APOP"u8))
        {
            // "APOP name digest": the digest is the last word.
            var last = argument.LastIndexOf((byte)' ');
            if (last > 0)
            {
                unit.Kind = Pop3CommandKind.Apop;
                unit.User = argument[..last].ToArray();
                unit.Secret = argument[(last + 1)..].ToArray();
                unit.Time = _time.GetUtcNow();
            }
        }
        else if (AsciiCase.EqualsIgnoreCase(verb, "AUTH"u8))
        {
            ParseAuth(argument, hasArgument, ref unit);
        }
        else if (AsciiCase.EqualsIgnoreCase(verb, "STLS"u8))
        {
            unit.Kind = Pop3CommandKind.StartTls;
        }
        else if (AsciiCase.EqualsIgnoreCase(verb, "CAPA"u8))
        {
            unit.Kind = Pop3CommandKind.MultiLine;
        }
        else if (AsciiCase.EqualsIgnoreCase(verb, "LIST"u8) || AsciiCase.EqualsIgnoreCase(verb, "UIDL"u8)
            || AsciiCase.EqualsIgnoreCase(verb, "RETR"u8) || AsciiCase.EqualsIgnoreCase(verb, "TOP"u8)
            || AsciiCase.EqualsIgnoreCase(verb, "STAT"u8) || AsciiCase.EqualsIgnoreCase(verb, "DELE"u8))
        {
            // Valid only after login; their multi-line bodies never matter, since +OK ends the watch.
            unit.Kind = Pop3CommandKind.Transaction;
        }

        return unit;
    }

    private void ParseAuth(ReadOnlySpan<byte> argument, bool hasArgument, ref Pop3ClientLine unit)
    {
        if (!hasArgument)
        {
            // "AUTH" alone lists the mechanisms as a multi-line reply (a common extension).
            unit.Kind = Pop3CommandKind.MultiLine;
            return;
        }

        var space = argument.IndexOf((byte)' ');
        var mechanism = space < 0 ? argument : argument[..space];
        if (!AsciiCase.EqualsIgnoreCase(mechanism, Plain))
        {
            unit.Kind = Pop3CommandKind.AuthOther;
            return;
        }

        unit.Kind = Pop3CommandKind.AuthPlain;
        if (space < 0)
        {
            _expectsPlainResponse = true;
            return;
        }

        unit.HasInitialResponse = true;
        if (TryDecodePlain(argument[(space + 1)..], out var user, out var password))
        {
            unit.User = user;
            unit.Secret = password;
            unit.Time = _time.GetUtcNow();
        }
    }

    private static bool TryDecodePlain(ReadOnlySpan<byte> base64, out byte[]? user, out byte[]? password) =>
        Sasl.TryDecodePlain(base64, out user, out password);
}
