using System.Security.Cryptography;

namespace Socks.Core.Users;

/// <summary>
/// One user as the store holds it: the name, the stored hash and the in-memory verification cache.
/// A record is created per Add (or per line of the users file) and never reused, so removing or
/// re-adding a user drops everything cached for the old record.
/// </summary>
internal sealed class UserRecord
{
    private byte[]? _verifier;

    public UserRecord(byte[] name, PasswordHash hash, bool saved = true)
    {
        Name = name;
        Hash = hash;
        Saved = saved;
        Nonce = RandomNumberGenerator.GetBytes(NonceSize);
    }

    public const int NonceSize = 16;

    public byte[] Name { get; }

    public PasswordHash Hash { get; }

    /// <summary>False for users added with <see cref="UserStore.AddTemporary"/>: never written to the users file.</summary>
    public bool Saved { get; }

    /// <summary>Random per record: mixes into failure-cache keys so they die with the record.</summary>
    public byte[] Nonce { get; }

    /// <summary>
    /// HMAC-SHA256 (process-random key) of the password, set after one successful PBKDF2 check or
    /// when the clear password is known at Add. Null until then.
    /// </summary>
    public byte[]? Verifier => Volatile.Read(ref _verifier);

    public void SetVerifier(byte[] verifier) => Volatile.Write(ref _verifier, verifier);
}
