namespace Socks.Core.Limits;

/// <summary>
/// Where a SOCKS server finds each user's limits. A user store given as <see cref="SocksServerOptions.Users"/> that
/// also implements this interface (as <see cref="Users.UserStore"/> does) has its limits enforced: the session limit
/// and the quota at every handshake, the rates on every chunk of a limited user's sessions.
/// </summary>
/// <remarks>Called on every authenticated handshake: implementations must be quick, safe for concurrent use and
/// should not allocate.</remarks>
public interface IUserLimits
{
    /// <summary>Gets the limits of a user now.</summary>
    /// <param name="username">The RFC 1929 username.</param>
    /// <param name="limits">The limits, or <see cref="UserLimits.None"/>.</param>
    /// <returns>True when the user exists.</returns>
    bool TryGetLimits(ReadOnlySpan<byte> username, out UserLimits limits);
}
