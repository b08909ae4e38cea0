namespace Socks.Core.Users.Verification;

/// <summary>
/// The PBKDF2 checks of one record that are waiting or running: one derivation at a time for the record
/// (<see cref="Gate"/>), and one pending check per distinct password, which every attempt with that password
/// joins instead of queueing a derivation of its own.
/// </summary>
/// <remarks>
/// Lives on the record (<see cref="PasswordHash"/>), so it dies with it. <see cref="Lock"/> guards
/// <see cref="Pending"/> and the waiter counts of its checks; it is never held during a derivation.
/// </remarks>
internal sealed class DerivationQueue
{
    /// <summary>One derivation of this record at a time: one user's guesses hold one global slot at most.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public Lock Lock { get; } = new();

    /// <summary>Keyed by the failure MAC of (record nonce, password), as hex: never the password itself.</summary>
    public Dictionary<string, PendingCheck> Pending { get; } = new(StringComparer.Ordinal);
}
