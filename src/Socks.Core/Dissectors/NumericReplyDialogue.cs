namespace Socks.Core.Dissectors;

/// <summary>
/// The dialogue of a protocol with three-digit replies answered in order (FTP, SMTP): the first reply
/// is the greeting, preliminary <c>1yz</c> replies answer nothing, and every other reply answers the
/// oldest unanswered client line. Subclasses parse client lines and apply the replies.
/// </summary>
/// <typeparam name="TCommand">A parsed client line.</typeparam>
internal abstract class NumericReplyDialogue<TCommand> : ILineDialogue
{
    private readonly CommandReplyQueue<TCommand> _queue = new();
    private NumericReplyReader _reader;
    private bool _greetingSeen;

    /// <summary>Creates the dialogue.</summary>
    /// <param name="emitter">Where credentials go.</param>
    protected NumericReplyDialogue(RecordEmitter emitter)
    {
        Emitter = emitter;
    }

    /// <summary>Where credentials go.</summary>
    protected RecordEmitter Emitter { get; }

    public StopReason? OnClientLine(ReadOnlySpan<byte> line)
    {
        var command = Parse(line);
        if (_queue.AddCommand(command, out var reply, out var full))
        {
            return Match(command, reply);
        }

        return full ? StopReason.TooManyPending : null;
    }

    public StopReason? OnServerLine(ReadOnlySpan<byte> line)
    {
        var code = _reader.Read(line);
        if (code <= 0)
        {
            return null;
        }

        if (!_greetingSeen)
        {
            // RFC 959 §5.4: 120 then 220; RFC 5321 §4.3.1: 220 (or 554).
            _greetingSeen = code >= 200;
            return null;
        }

        if (code < 200)
        {
            return null;
        }

        if (_queue.AddReply(code, out var command, out var full))
        {
            return Match(command, code);
        }

        return full ? StopReason.TooManyPending : null;
    }

    public void OnResume(bool fromClient, bool newExchange)
    {
        if (!fromClient)
        {
            _greetingSeen = true;
            _reader.Reset();
        }

        if (newExchange)
        {
            _queue.Clear();
            Reset();
        }
    }

    public void EndUnanswered()
    {
        while (_queue.TryTakeUnanswered(out var command))
        {
            Unanswered(command);
        }

        EndPending();
    }

    public void Clear()
    {
        _queue.Clear();
        Reset();
    }

    /// <summary>Parses a client line.</summary>
    protected abstract TCommand Parse(ReadOnlySpan<byte> line);

    /// <summary>Applies the reply to the client line it answers.</summary>
    /// <returns>Why the watch is over, or null.</returns>
    protected abstract StopReason? Match(TCommand command, int reply);

    /// <summary>A client line will never be answered: emit its credential as unknown.</summary>
    protected abstract void Unanswered(TCommand command);

    /// <summary>The session ended: a credential held across replies is emitted as unknown.</summary>
    protected virtual void EndPending()
    {
    }

    /// <summary>Forgets the exchange in progress (commands or replies were missed).</summary>
    protected abstract void Reset();
}
