using Socks.Core.Limits;
using Socks.Core.Users.Verification;

namespace Socks.Core.Users;

/// <summary>
/// One user as the store holds it: the name and the stored hash (which carries the verification
/// cache). A record is created per Add (or per line of the users file) and never reused, so removing
/// or re-adding a user drops everything cached for the old record.
/// </summary>
internal sealed class UserRecord
{
    public UserRecord(byte[] name, PasswordHash hash, bool saved = true, UserLimits limits = default)
    {
        Name = name;
        Hash = hash;
        Saved = saved;
        Limits = limits;
    }

    public byte[] Name { get; }

    public PasswordHash Hash { get; }

    /// <summary>False for users added with <see cref="UserStore.AddTemporary(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>: never written to the users file.</summary>
    public bool Saved { get; }

    /// <summary>The user's limits (none by default).</summary>
    public UserLimits Limits { get; }

    /// <summary>The same user (same hash, so the same verification cache) with other limits.</summary>
    /// <param name="limits">The new limits.</param>
    /// <returns>A new record.</returns>
    public UserRecord WithLimits(UserLimits limits) => new(Name, Hash, Saved, limits);
}
