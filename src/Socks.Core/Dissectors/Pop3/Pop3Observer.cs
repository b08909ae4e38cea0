using System.Buffers;

namespace Socks.Core.Dissectors.Pop3;

/// <summary>
/// Watches one session for POP3 credentials (RFC 1939 §7 USER/PASS and APOP, RFC 5034 AUTH PLAIN)
/// and the server's verdict on each.
/// </summary>
/// <remarks>
/// <see cref="Pop3Sniffer"/> decides whether a session on another port is POP3; lines are at most 512
/// octets (RFC 2449 §4: the response limit, which also covers long AUTH PLAIN responses);
/// <see cref="Pop3Dialogue"/> pairs commands with replies and emits the credentials. The rest (locking,
/// the switch, line assembly) is <see cref="LineObserver"/>.
/// </remarks>
internal sealed class Pop3Observer : LineObserver
{
    /// <summary>The longest line accepted, CRLF included (RFC 2449 §4).</summary>
    internal const int MaxLineLength = 512;

    private Pop3Sniffer _sniffer;

    public Pop3Observer(DissectorContext context, SessionInfo session, bool sniffGreeting)
        : base(context, session, "POP3", MaxLineLength, sniffGreeting)
    {
    }

    protected override ILineDialogue CreateDialogue(RecordEmitter emitter) => new Pop3Dialogue(emitter);

    protected override OperationStatus Sniff(ReadOnlySpan<byte> data, bool fromClient) => _sniffer.Check(data, fromClient);
}
