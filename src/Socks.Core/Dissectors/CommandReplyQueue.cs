namespace Socks.Core.Dissectors;

/// <summary>
/// Pairs commands with the replies that answer them by position, for protocols whose servers answer
/// in order (FTP, SMTP with PIPELINING). Either side may come first: the relay's two directions are
/// reported by two threads, so a reply may be seen before the command it answers.
/// </summary>
/// <typeparam name="TCommand">A parsed command.</typeparam>
/// <remarks>Bounded: more than <see cref="LineObserver.MaxPending"/> waiting on one side gives up.</remarks>
internal sealed class CommandReplyQueue<TCommand>
{
    private Queue<TCommand>? _commands;
    private Queue<int>? _replies;

    /// <summary>Adds a command.</summary>
    /// <param name="command">The command.</param>
    /// <param name="reply">On true, the reply code that answers it (already seen).</param>
    /// <param name="full">True when too many commands wait.</param>
    /// <returns>True if a reply was waiting; false if the command now waits (or <paramref name="full"/>).</returns>
    public bool AddCommand(TCommand command, out int reply, out bool full)
    {
        full = false;
        if (_replies is { Count: > 0 })
        {
            reply = _replies.Dequeue();
            return true;
        }

        reply = 0;
        _commands ??= new Queue<TCommand>(2);
        full = _commands.Count >= LineObserver.MaxPending;
        if (!full)
        {
            _commands.Enqueue(command);
        }

        return false;
    }

    /// <summary>Adds a reply.</summary>
    /// <param name="reply">The reply code.</param>
    /// <param name="command">On true, the command it answers.</param>
    /// <param name="full">True when too many replies wait.</param>
    /// <returns>True if a command was waiting.</returns>
    public bool AddReply(int reply, out TCommand command, out bool full)
    {
        full = false;
        if (_commands is { Count: > 0 })
        {
            command = _commands.Dequeue();
            return true;
        }

        command = default!;
        _replies ??= new Queue<int>(2);
        full = _replies.Count >= LineObserver.MaxPending;
        if (!full)
        {
            _replies.Enqueue(reply);
        }

        return false;
    }

    /// <summary>Takes the commands that will never get an answer.</summary>
    /// <param name="command">The next one.</param>
    /// <returns>False when none is left.</returns>
    public bool TryTakeUnanswered(out TCommand command)
    {
        if (_commands is { Count: > 0 })
        {
            command = _commands.Dequeue();
            return true;
        }

        command = default!;
        return false;
    }

    /// <summary>Forgets everything waiting.</summary>
    public void Clear()
    {
        _commands?.Clear();
        _replies?.Clear();
    }
}
