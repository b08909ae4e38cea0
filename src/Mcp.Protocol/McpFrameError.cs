using System.Buffers;

namespace Mcp.Protocol;

/// <summary>
/// Why a reader returned <see cref="OperationStatus.InvalidData"/>, and how much of the offending frame is still to
/// be discarded before the next frame begins.
/// </summary>
/// <remarks>
/// <para>When <see cref="CanSkipFrame"/> is <see langword="true"/> the header was valid, so the frame's extent
/// (<see cref="FrameLength"/> = 4 + LEN) is known. The reader has already consumed the part of the frame that was in
/// the buffer; <see cref="RemainingBytes"/> more bytes of it have not arrived yet and must be discarded as they do
/// (see <see cref="McpRequestReader.TrySkip"/>). A server then answers ERROR and keeps serving the connection.</para>
/// <para>When <see cref="CanSkipFrame"/> is <see langword="false"/> (<see cref="McpFrameErrorReason.UnsupportedVersion"/>)
/// nothing was consumed and the connection's framing is lost.</para>
/// <para><see cref="Message"/> never contains user names, passwords or other payload bytes.</para>
/// </remarks>
public readonly struct McpFrameError
{
    internal McpFrameError(McpFrameErrorReason reason, string message, int frameLength, int remainingBytes)
    {
        Reason = reason;
        Message = message;
        FrameLength = frameLength;
        RemainingBytes = remainingBytes;
    }

    /// <summary>Gets the rule the frame broke.</summary>
    public McpFrameErrorReason Reason { get; }

    /// <summary>Gets a precise English description for logs and exception messages; empty when there is no error.</summary>
    public string Message => field ?? string.Empty;

    /// <summary>Gets the length of the whole offending frame (4 + LEN), or 0 when the header could not be read.</summary>
    public int FrameLength { get; }

    /// <summary>Gets how many bytes of the offending frame were not in the buffer yet and must still be discarded.</summary>
    public int RemainingBytes { get; }

    /// <summary>Gets whether the frame's extent is known, so the reader consumed it (or will once <see cref="RemainingBytes"/> are skipped) and the next frame can be read.</summary>
    public bool CanSkipFrame => Reason is not (McpFrameErrorReason.UnsupportedVersion or McpFrameErrorReason.None);

    /// <inheritdoc />
    public override string ToString() => Reason == McpFrameErrorReason.None ? "no error" : $"{Reason}: {Message}";
}
