namespace Socks.Core.Protocol;

/// <summary>Maps parse errors to the answer a SOCKS5 server gives.</summary>
internal static class SocksParseErrorExtensions
{
    /// <summary>
    /// The REP code (RFC 1928 §6) a server sends before closing when <see cref="Socks5Reader.TryReadRequest"/>
    /// failed with <paramref name="error"/>.
    /// </summary>
    /// <param name="error">The error of a failed read; not <see cref="SocksParseError.None"/>.</param>
    /// <returns>
    /// <see cref="ReplyCode.AddressTypeNotSupported"/> for <see cref="SocksParseError.UnsupportedAddressType"/>,
    /// <see cref="ReplyCode.GeneralFailure"/> for <see cref="SocksParseError.BadLength"/>, and null when the
    /// server should close without any reply because the peer is not speaking SOCKS5
    /// (<see cref="SocksParseError.BadVersion"/>, <see cref="SocksParseError.BadSubnegotiationVersion"/>) or the
    /// error belongs to the greeting (<see cref="SocksParseError.NoMethods"/>, answered with METHOD X'FF').
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is None or not a defined value.</exception>
    public static ReplyCode? ToReplyCode(this SocksParseError error) => error switch
    {
        SocksParseError.UnsupportedAddressType => ReplyCode.AddressTypeNotSupported,
        SocksParseError.BadLength => ReplyCode.GeneralFailure,
        SocksParseError.BadVersion or SocksParseError.BadSubnegotiationVersion or SocksParseError.NoMethods => null,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Not a parse failure."),
    };
}
