namespace Socks.Core.Dissectors.Imap;

/// <summary>Watches one IMAP session for <c>LOGIN</c> and <c>AUTHENTICATE PLAIN</c> (RFC 9051); lines (and a command with its literals) of at most 8192 octets (RFC 7162 §4).</summary>
internal sealed class ImapObserver : LineObserver
{
    /// <summary>The longest line, or command with its literals, accepted (RFC 7162 §4 suggests servers accept 8192 octets).</summary>
    internal const int MaxLineLength = 8192;

    public ImapObserver(DissectorContext context, SessionInfo session)
        : base(context, session, "IMAP", MaxLineLength, sniff: false)
    {
    }

    protected override ILineDialogue CreateDialogue(RecordEmitter emitter) => new ImapDialogue(emitter);
}
