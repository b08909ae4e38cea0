namespace Socks.Core.Dissectors;

/// <summary>
/// The observer of a protocol that needs nothing beyond <see cref="LineObserver"/>: a name, a line
/// limit and its dialogue (FTP, IMAP, SMTP; POP3 and HTTP add a first-bytes check of their own).
/// </summary>
internal sealed class DialogueObserver : LineObserver
{
    private readonly Func<RecordEmitter, ILineDialogue> _createDialogue;

    /// <summary>Creates the observer of one session.</summary>
    /// <param name="context">Sink, switch, clock, logger.</param>
    /// <param name="session">The session.</param>
    /// <param name="protocol">The protocol name.</param>
    /// <param name="maxLineLength">The longest line accepted, line end included.</param>
    /// <param name="createDialogue">Creates the dialogue (a static lambda: nothing is allocated per session for it).</param>
    public DialogueObserver(DissectorContext context, SessionInfo session, string protocol, int maxLineLength, Func<RecordEmitter, ILineDialogue> createDialogue)
        : base(context, session, protocol, maxLineLength, sniff: false)
    {
        _createDialogue = createDialogue;
    }

    protected override ILineDialogue CreateDialogue(RecordEmitter emitter) => _createDialogue(emitter);
}
