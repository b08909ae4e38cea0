namespace Socks.Core.Protocol;

/// <summary>
/// An RFC 1929 §2 username/password request. The fields are the raw octets the client sent (1 to 255 each);
/// RFC 1929 fixes no character encoding. <see cref="object.ToString"/> is not overridden, so the password
/// cannot end up in a log by accident.
/// </summary>
internal sealed class UsernamePasswordRequest
{
    internal UsernamePasswordRequest(byte[] username, byte[] password)
    {
        Username = username;
        Password = password;
    }

    /// <summary>UNAME: 1 to 255 octets.</summary>
    public byte[] Username { get; }

    /// <summary>PASSWD: 1 to 255 octets.</summary>
    public byte[] Password { get; }
}
