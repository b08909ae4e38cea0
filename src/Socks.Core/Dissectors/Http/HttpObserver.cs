using System.Buffers;

namespace Socks.Core.Dissectors.Http;

/// <summary>
/// Watches one HTTP/1.x connection for Basic credentials (RFC 7617); header lines of at most 8192
/// octets (RFC 9112 §2.3 recommends supporting at least 8000). On a port not configured as HTTP it first
/// checks that the client speaks first with a request method (a few letters, then a space).
/// </summary>
internal sealed class HttpObserver : LineObserver
{
    /// <summary>The longest line accepted, CRLF included.</summary>
    internal const int MaxLineLength = 8192;

    // The longest method checked when sniffing ("OPTIONS", "CONNECT" are 7 letters).
    private const int MaxMethodLength = 7;

    private int _sniffed;

    public HttpObserver(DissectorContext context, SessionInfo session, bool sniff)
        : base(context, session, "HTTP", MaxLineLength, sniff)
    {
    }

    protected override ILineDialogue CreateDialogue(RecordEmitter emitter) => new HttpDialogue(emitter);

    /// <summary>The client must speak first with upper-case letters then a space; a server speaking first is not HTTP.</summary>
    protected override OperationStatus Sniff(ReadOnlySpan<byte> data, bool fromClient)
    {
        if (!fromClient)
        {
            return OperationStatus.InvalidData;
        }

        foreach (var b in data)
        {
            if (b == (byte)' ' && _sniffed >= 3)
            {
                return OperationStatus.Done;
            }

            if (b is < (byte)'A' or > (byte)'Z' || ++_sniffed > MaxMethodLength)
            {
                return OperationStatus.InvalidData;
            }
        }

        return OperationStatus.NeedMoreData;
    }
}
