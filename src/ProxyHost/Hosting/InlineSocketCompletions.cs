namespace ProxyHost.Hosting;

/// <summary>
/// Runs the continuations of socket operations on the socket engine's own epoll threads instead of handing each
/// completion to a thread-pool worker (the runtime's <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>, one
/// engine thread per core then). A connection's handshake then takes a few context switches instead of nine or
/// ten (docs/benchmarks.md). What is slow never runs there: a PBKDF2 derivation is started on the thread pool,
/// DNS lookups on their own threads, log lines are formatted and written by the logs' own threads, and admin
/// changes (hashing, saving the users file) on threads of their own.
/// </summary>
internal static class InlineSocketCompletions
{
    /// <summary>The runtime's switch, read once, when the first socket is created.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns the switch on unless the environment already sets it (<c>0</c> keeps the runtime's default: every
    /// completion on the thread pool). Must run before anything in the process creates a socket.
    /// </summary>
    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
