namespace Socks.Core.Dissectors.Smtp;

/// <summary>
/// Follows SMTP submission (RFC 5321, RFC 4954 AUTH, RFC 3207 STARTTLS) for <c>AUTH PLAIN</c> and
/// <c>AUTH LOGIN</c>, with or without an initial response, and emits each credential once the server
/// answered the line that completed it: 235 accepted, 535 (any 4yz/5yz) rejected.
/// </summary>
/// <remarks>
/// Which client lines are SASL responses is known from the client side alone (PLAIN takes one,
/// LOGIN a user name and a password, <c>*</c> cancels); the replies are matched by position
/// (<see cref="NumericReplyDialogue{TCommand}"/>). An AUTH the server refuses outright (no 334) aborts its
/// exchange: the lines the parser took for its responses record nothing. A 235 ends the watch, and so
/// does a 220 to <c>STARTTLS</c>.
/// </remarks>
internal sealed class SmtpDialogue : NumericReplyDialogue<SmtpCommand>
{
    /// <summary>The longest line accepted, CRLF included: RFC 5321's text line limit (§4.5.3.1.6), which also bounds AUTH lines in practice (RFC 4954 §4 lifts the 512 command limit for them).</summary>
    internal const int MaxLineLength = 1000;

    // Client side: SASL responses still expected, and for LOGIN the user name already sent.
    private int _expected;
    private CredentialMechanism _mechanism;
    private byte[]? _loginUser;
    private int _exchange;

    // Reply side: the exchange the server refused, and a credential answered by one more 334.
    private int _aborted;
    private SmtpCommand? _held;

    public SmtpDialogue(RecordEmitter emitter)
        : base(emitter)
    {
    }

    protected override SmtpCommand Parse(ReadOnlySpan<byte> line)
    {
        if (_expected > 0)
        {
            return ParseResponse(line);
        }

        var hasArgument = AsciiCase.SplitVerb(line, out var verb, out var argument);
        if (AsciiCase.EqualsIgnoreCase(verb, "STARTTLS"u8))
        {
            return new SmtpCommand { Kind = SmtpCommandKind.StartTls };
        }

        if (!AsciiCase.EqualsIgnoreCase(verb, "AUTH"u8) || !hasArgument)
        {
            return new SmtpCommand { Kind = SmtpCommandKind.Other };
        }

        var hasInitial = AsciiCase.SplitVerb(argument, out var mechanism, out var initial);
        var command = new SmtpCommand { Kind = SmtpCommandKind.Auth, Exchange = ++_exchange };
        if (AsciiCase.EqualsIgnoreCase(mechanism, "PLAIN"u8))
        {
            _mechanism = CredentialMechanism.AuthPlain;
            if (!hasInitial)
            {
                _expected = 1;
                return command;
            }

            return Sasl.TryDecodePlain(initial, out var user, out var password) ? Complete(command, user, password) : command;
        }

        if (AsciiCase.EqualsIgnoreCase(mechanism, "LOGIN"u8))
        {
            _mechanism = CredentialMechanism.AuthLogin;
            _loginUser = null;
            _expected = 2;
            if (hasInitial && Sasl.TryDecode(initial, out var user))
            {
                // RFC 4954 §4: the initial response of LOGIN is the user name.
                _loginUser = user;
                _expected = 1;
            }
        }

        return command;
    }

    protected override StopReason? Match(SmtpCommand command, int reply)
    {
        switch (command.Kind)
        {
            case SmtpCommandKind.Auth or SmtpCommandKind.SaslResponse:
                if (command.Exchange == _aborted)
                {
                    return null;
                }

                if (reply == 334)
                {
                    // One more round before the verdict: a completed credential waits for it.
                    _held = command.Mechanism is null ? _held : command;
                    return null;
                }

                var credential = command.Mechanism is null ? _held : command;
                _held = null;
                if (credential is { } c && c.Exchange == command.Exchange)
                {
                    Emit(c, NumericReplyReader.Outcome(reply));
                }
                else if (command.Kind == SmtpCommandKind.Auth)
                {
                    // Refused outright (504 unknown mechanism, 503 already authenticated): no responses follow.
                    _aborted = command.Exchange;
                }

                return reply / 100 == 2 ? StopReason.LoggedIn : null;
            case SmtpCommandKind.StartTls:
                return reply == 220 ? StopReason.StartTls : null;
            default:
                return null;
        }
    }

    protected override void Unanswered(SmtpCommand command)
    {
        if (command.Mechanism is not null && command.Exchange != _aborted)
        {
            Emit(command, CredentialOutcome.Unknown);
        }
    }

    protected override void EndPending()
    {
        if (_held is { } held)
        {
            _held = null;
            Emit(held, CredentialOutcome.Unknown);
        }
    }

    protected override void Reset()
    {
        _expected = 0;
        _loginUser = null;
        _held = null;
        _aborted = _exchange;
    }

    private SmtpCommand ParseResponse(ReadOnlySpan<byte> line)
    {
        var command = new SmtpCommand { Kind = SmtpCommandKind.SaslResponse, Exchange = _exchange };
        _expected--;
        if (line.Length == 1 && line[0] == (byte)'*')
        {
            // RFC 4954 §4: the client cancels the exchange.
            _expected = 0;
            _loginUser = null;
            return command;
        }

        if (_mechanism == CredentialMechanism.AuthPlain)
        {
            return Sasl.TryDecodePlain(line, out var user, out var password) ? Complete(command, user, password) : command;
        }

        if (!Sasl.TryDecode(line, out var decoded))
        {
            _expected = 0;
            return command;
        }

        if (_expected > 0)
        {
            _loginUser = decoded;
            return command;
        }

        var loginUser = _loginUser;
        _loginUser = null;
        return Complete(command, loginUser, decoded);
    }

    private SmtpCommand Complete(SmtpCommand command, byte[]? user, byte[]? password)
    {
        _expected = 0;
        return command with { Mechanism = _mechanism, User = user, Secret = password, Time = Emitter.Time.GetUtcNow() };
    }

    private void Emit(SmtpCommand credential, CredentialOutcome outcome) =>
        Emitter.Emit(credential.Mechanism ?? _mechanism, credential.User, credential.Secret, credential.Time, outcome);
}
