using System.Buffers;

namespace Socks.Core.Dissectors.Pop3;

/// <summary>
/// Decides from the first bytes of a session on a port not configured as POP3 whether it is POP3: the
/// server's greeting (RFC 1939 §4: <c>+OK</c> followed by text or the line end) or, since the relay may
/// report the client's first command before the greeting it answers, a client that starts with a POP3
/// AUTHORIZATION verb. Looks at four bytes of each direction at most, without copying them.
/// </summary>
/// <remarks>A mutable struct; keep it in a field. Not thread-safe (the observer calls it under its lock).</remarks>
internal struct Pop3Sniffer
{
    // Bytes of each stream checked so far, and the client's first four bytes (upper-cased).
    private int _clientSniffed;
    private uint _clientVerb;
    private int _targetSniffed;

    /// <summary>Checks the next bytes of one direction.</summary>
    /// <param name="data">The chunk.</param>
    /// <param name="fromClient">Whether the client sent it.</param>
    /// <returns>
    /// <see cref="OperationStatus.Done"/>: the server's greeting is POP3, sniffing is over.
    /// <see cref="OperationStatus.NeedMoreData"/>: nothing rules POP3 out yet.
    /// <see cref="OperationStatus.InvalidData"/>: not POP3.
    /// </returns>
    public OperationStatus Check(ReadOnlySpan<byte> data, bool fromClient)
    {
        if (fromClient)
        {
            for (var i = 0; i < data.Length && _clientSniffed < 4; i++)
            {
                _clientVerb = (_clientVerb << 8) | (uint)(data[i] & 0xDF);
                _clientSniffed++;
            }

            return _clientSniffed == 4 && !IsAuthorizationVerb(_clientVerb) ? OperationStatus.InvalidData : OperationStatus.NeedMoreData;
        }

        for (var i = 0; i < data.Length && _targetSniffed < 4; i++)
        {
            var b = data[i];
            var ok = _targetSniffed switch
            {
                0 => b == (byte)'+',
                1 => (b & 0xDF) == (byte)'O',
                2 => (b & 0xDF) == (byte)'K',
                _ => b is (byte)' ' or (byte)'\r' or (byte)'\n',
            };
            if (!ok)
            {
                return OperationStatus.InvalidData;
            }

            _targetSniffed++;
        }

        return _targetSniffed == 4 ? OperationStatus.Done : OperationStatus.NeedMoreData;
    }

    private static bool IsAuthorizationVerb(uint verb) => verb switch
    {
        0x55534552 => true, // USER
        0x50415353 => true, // PASS
        0x41504F50 => true, // APOP
        0x41555448 => true, // AUTH
        0x43415041 => true, // CAPA
        0x53544C53 => true, // STLS
        0x51554954 => true, // QUIT
        _ => false,
    };
}
