namespace Socks.Core.Dissectors.Ftp;

/// <summary>
/// Pairs FTP commands with their replies (RFC 959 §5.4) and emits each <c>USER</c>/<c>PASS</c> pair
/// once the server answered the <c>PASS</c>: 230 (or 202) accepted, 530 (any 4yz/5yz) rejected. A 230
/// to <c>USER</c> (no password needed) or to <c>PASS</c> ends the watch; so does a 234 to <c>AUTH TLS</c>
/// (RFC 4217 §4).
/// </summary>
internal sealed class FtpDialogue : NumericReplyDialogue<FtpCommand>
{
    /// <summary>The longest line accepted, CRLF included (RFC 959 does not limit it; real clients stay far below).</summary>
    internal const int MaxLineLength = 512;

    // The user of the last USER the server accepted (331/332), consumed by the next PASS.
    private byte[]? _user;

    public FtpDialogue(RecordEmitter emitter)
        : base(emitter)
    {
    }

    protected override FtpCommand Parse(ReadOnlySpan<byte> line)
    {
        AsciiCase.SplitVerb(line, out var verb, out var argument);
        if (AsciiCase.EqualsIgnoreCase(verb, "USER"u8))
        {
            return new FtpCommand(FtpCommandKind.User, argument.ToArray(), default);
        }

        if (AsciiCase.EqualsIgnoreCase(verb, "PASS"u8))
        {
            // RFC 959 §4.1.1: the password is the rest of the line (it may hold spaces).
            return new FtpCommand(FtpCommandKind.Pass, argument.ToArray(), Emitter.Time.GetUtcNow());
        }

        if (AsciiCase.EqualsIgnoreCase(verb, "AUTH"u8))
        {
            return new FtpCommand(FtpCommandKind.AuthTls, null, default);
        }

        return new FtpCommand(FtpCommandKind.Other, null, default);
    }

    protected override StopReason? Match(FtpCommand command, int reply)
    {
        switch (command.Kind)
        {
            case FtpCommandKind.User:
                // 331 need password, 332 need account; 230 logged in without a password.
                _user = reply / 100 == 3 ? command.Argument : null;
                return reply == 230 ? StopReason.LoggedIn : null;
            case FtpCommandKind.Pass:
                if (_user is { } user)
                {
                    Emitter.Emit(CredentialMechanism.UserPass, user, command.Argument, command.Time, NumericReplyReader.Outcome(reply));
                }

                // Without an accepted USER it names nobody's password: not recorded. Each PASS consumes its USER.
                _user = null;
                return reply / 100 == 2 ? StopReason.LoggedIn : null;
            case FtpCommandKind.AuthTls:
                return reply == 234 ? StopReason.StartTls : null;
            default:
                return null;
        }
    }

    protected override void Unanswered(FtpCommand command)
    {
        if (command.Kind == FtpCommandKind.User)
        {
            _user = command.Argument;
        }
        else if (command.Kind == FtpCommandKind.Pass && _user is { } user)
        {
            Emitter.Emit(CredentialMechanism.UserPass, user, command.Argument, command.Time, CredentialOutcome.Unknown);
            _user = null;
        }
    }

    protected override void Reset() => _user = null;
}
