namespace Socks.Core.Users.Verification;

/// <summary>One queued or running derivation and the attempts waiting for its answer.</summary>
internal sealed class PendingCheck
{
    public PendingCheck(string key, byte[] password)
    {
        Key = key;
        Password = password;
    }

    public string Key { get; }

    /// <summary>A copy of the password (the caller's buffer may be reused once it stops waiting); zeroed when done.</summary>
    public byte[] Password { get; }

    public TaskCompletionSource<bool> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Cancelled when every waiter left before the derivation started: then it never starts.</summary>
    public CancellationTokenSource Abandoned { get; } = new();

    /// <summary>Attempts still waiting; under the queue's lock.</summary>
    public int Waiters { get; set; }

    /// <summary>True once the derivation has begun (then it finishes and fills the caches); under the queue's lock.</summary>
    public bool Started { get; set; }
}
