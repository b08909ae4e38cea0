using Socks.Core.Users.Verification;

namespace Socks.Core.Users;

/// <summary>
/// One user as the store holds it: the name and the stored hash (which carries the verification
/// cache). A record is created per Add (or per line of the users file) and never reused, so removing
/// or re-adding a user drops everything cached for the old record.
/// </summary>
internal sealed class UserRecord
{
    public UserRecord(byte[] name, PasswordHash hash, bool saved = true)
    {
        Name = name;
        Hash = hash;
        Saved = saved;
    }

    public byte[] Name { get; }

    public PasswordHash Hash { get; }

    /// <summary>False for users added with <see cref="UserStore.AddTemporary(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>: never written to the users file.</summary>
    public bool Saved { get; }
}
