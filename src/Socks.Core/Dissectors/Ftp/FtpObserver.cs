namespace Socks.Core.Dissectors.Ftp;

/// <summary>Watches one FTP control connection for <c>USER</c>/<c>PASS</c> (RFC 959); lines of at most 512 octets.</summary>
internal sealed class FtpObserver : LineObserver
{
    /// <summary>The longest line accepted, CRLF included (RFC 959 does not limit it; real clients stay far below).</summary>
    internal const int MaxLineLength = 512;

    public FtpObserver(DissectorContext context, SessionInfo session)
        : base(context, session, "FTP", MaxLineLength, sniff: false)
    {
    }

    protected override ILineDialogue CreateDialogue(RecordEmitter emitter) => new FtpDialogue(emitter);
}
