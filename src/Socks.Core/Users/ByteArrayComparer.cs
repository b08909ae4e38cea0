namespace Socks.Core.Users;

/// <summary>
/// Compares user names byte for byte. It is also an alternate comparer for
/// <see cref="ReadOnlySpan{T}"/> so a lookup during a handshake allocates nothing.
/// </summary>
/// <remarks>
/// <see cref="HashCode"/> is seeded randomly per process, so names chosen by a client cannot be
/// crafted to collide. Equality here is not constant-time: it only decides which record to check,
/// and the secret (the password) is always compared with a fixed-time comparison afterwards.
/// </remarks>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    private ByteArrayComparer()
    {
    }

    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = default(HashCode);
        hash.AddBytes(alternate);
        return hash.ToHashCode();
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
