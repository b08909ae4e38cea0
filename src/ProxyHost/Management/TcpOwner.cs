namespace ProxyHost.Management;

/// <summary>What the socket table says about a client.</summary>
/// <param name="Status">Found, or why not.</param>
/// <param name="Uid">The owner's uid when <see cref="TcpOwnerStatus.Found"/>.</param>
/// <param name="Inode">The client socket's inode when found.</param>
/// <param name="Problem">Why the table could not be read, for <see cref="TcpOwnerStatus.Unreadable"/>.</param>
internal readonly record struct TcpOwner(TcpOwnerStatus Status, uint Uid, ulong Inode, string? Problem);

/// <summary>The outcome of a socket-table lookup.</summary>
internal enum TcpOwnerStatus
{
    /// <summary>The client's socket is held by a process with <see cref="TcpOwner.Uid"/>.</summary>
    Found,

    /// <summary>The client's socket is listed but no process holds it any more (closed already): no uid.</summary>
    Orphaned,

    /// <summary>No such socket in this host's tables: a client on another host (or a socket gone meanwhile).</summary>
    NotFound,

    /// <summary>The tables could not be read (no /proc, or access to it restricted).</summary>
    Unreadable,
}
