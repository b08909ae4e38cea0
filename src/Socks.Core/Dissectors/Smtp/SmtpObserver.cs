namespace Socks.Core.Dissectors.Smtp;

/// <summary>Watches one SMTP session for <c>AUTH PLAIN</c> and <c>AUTH LOGIN</c> (RFC 4954); lines of at most 1000 octets (RFC 5321 §4.5.3.1.6, §4.5.3.1.5).</summary>
internal sealed class SmtpObserver : LineObserver
{
    /// <summary>The longest line accepted, CRLF included: RFC 5321's text line limit, which also bounds AUTH lines in practice (RFC 4954 §4 lifts the 512 command limit for them).</summary>
    internal const int MaxLineLength = 1000;

    public SmtpObserver(DissectorContext context, SessionInfo session)
        : base(context, session, "SMTP", MaxLineLength, sniff: false)
    {
    }

    protected override ILineDialogue CreateDialogue(RecordEmitter emitter) => new SmtpDialogue(emitter);
}
