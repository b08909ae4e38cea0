namespace Socks.Core.Users;

/// <summary>Data of <see cref="IUserDirectory.UserRemoved"/>: which user was removed.</summary>
public sealed class UserRemovedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="username">The removed user's name; the event data keeps its own copy.</param>
    public UserRemovedEventArgs(ReadOnlySpan<byte> username)
    {
        Username = username.ToArray();
    }

    /// <summary>The removed user's name, byte for byte as it was added.</summary>
    public ReadOnlyMemory<byte> Username { get; }
}
