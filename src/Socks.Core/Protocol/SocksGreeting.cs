namespace Socks.Core.Protocol;

/// <summary>
/// The methods a client offered in its greeting (RFC 1928 §3), kept as a 256-bit set so that reading a
/// greeting allocates nothing. Duplicated METHOD octets collapse into one member of the set.
/// </summary>
internal readonly struct SocksGreeting
{
    private readonly ulong _bits0;
    private readonly ulong _bits1;
    private readonly ulong _bits2;
    private readonly ulong _bits3;

    internal SocksGreeting(ulong bits0, ulong bits1, ulong bits2, ulong bits3, int methodCount)
    {
        _bits0 = bits0;
        _bits1 = bits1;
        _bits2 = bits2;
        _bits3 = bits3;
        MethodCount = methodCount;
    }

    /// <summary>NMETHODS as the client sent it (1 to 255), counting duplicates; 0 for a default instance.</summary>
    public int MethodCount { get; }

    /// <summary>Whether the client listed <paramref name="method"/> among its METHODS.</summary>
    /// <param name="method">Any METHOD octet, named or not.</param>
    /// <returns>True when the method was offered.</returns>
    public bool Offers(AuthMethod method)
    {
        var value = (byte)method;
        var word = (value >> 6) switch
        {
            0 => _bits0,
            1 => _bits1,
            2 => _bits2,
            _ => _bits3,
        };
        return (word & (1UL << (value & 63))) != 0;
    }
}
