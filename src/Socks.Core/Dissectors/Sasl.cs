using System.Buffers;
using System.Buffers.Text;

namespace Socks.Core.Dissectors;

/// <summary>Decoding of the SASL messages that carry clear-text passwords (PLAIN, LOGIN), shared by the protocols.</summary>
internal static class Sasl
{
    /// <summary>The longest base64 text decoded: a line of the longest limit any dissector uses.</summary>
    private const int MaxEncodedLength = 8192;

    /// <summary>
    /// Decodes a SASL PLAIN message (RFC 4616 §2): base64 of <c>authzid NUL authcid NUL passwd</c>.
    /// </summary>
    /// <param name="base64">The base64 text.</param>
    /// <param name="user">The authentication identity.</param>
    /// <param name="password">The password.</param>
    /// <returns>True if it decoded to a PLAIN message.</returns>
    public static bool TryDecodePlain(ReadOnlySpan<byte> base64, out byte[]? user, out byte[]? password)
    {
        user = null;
        password = null;
        if (!TryDecode(base64, out var decoded))
        {
            return false;
        }

        ReadOnlySpan<byte> message = decoded;
        var first = message.IndexOf((byte)0);
        if (first < 0)
        {
            return false;
        }

        var rest = message[(first + 1)..];
        var second = rest.IndexOf((byte)0);
        if (second < 0)
        {
            return false;
        }

        user = rest[..second].ToArray();
        password = rest[(second + 1)..].ToArray();
        return true;
    }

    /// <summary>Decodes one base64 SASL response (RFC 4648 §4, padding required), e.g. an AUTH LOGIN user name.</summary>
    /// <param name="base64">The base64 text; empty or <c>=</c> is the empty response.</param>
    /// <param name="decoded">The bytes.</param>
    /// <returns>False if it is not base64.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> base64, out byte[] decoded)
    {
        decoded = [];
        if (base64.IsEmpty || (base64.Length == 1 && base64[0] == (byte)'='))
        {
            return true;
        }

        if (base64.Length > MaxEncodedLength)
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(base64.Length));
        try
        {
            if (Base64.DecodeFromUtf8(base64, buffer, out var consumed, out var written) != OperationStatus.Done || consumed != base64.Length)
            {
                return false;
            }

            decoded = buffer.AsSpan(0, written).ToArray();
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }
}
