using System.Buffers;

namespace Socks.Core.Dissectors;

/// <summary>
/// Watches one session of a line-based protocol for clear-text credentials: the part every dissector
/// of the family shares (POP3, HTTP, FTP, IMAP, SMTP). A subclass names the protocol, its line limit,
/// an optional first-bytes check, and the <see cref="ILineDialogue"/> that understands the lines.
/// </summary>
/// <remarks>
/// <para>One <see cref="LineAssembler"/> per direction turns chunks split anywhere into lines (CRLF or
/// bare LF ends a line; at most one partial line per direction is kept, in a buffer rented only while a
/// line is incomplete; a line longer than the limit stops the observer without buffering it). Bytes
/// the dialogue declares opaque (an HTTP body of known length) go by unparsed.</para>
/// <para>Thread safety: the two directions may call concurrently; all state is under one lock, which
/// only watched sessions take. While the switch is off the observer only notes that bytes were
/// skipped (no lock); when it is switched on again it resumes at the next line boundary with an empty
/// exchange (a credential whose command or reply was skipped is missed).</para>
/// <para>Observe only: it never holds or changes the relayed bytes, and any exception inside it stops
/// this observer only.</para>
/// </remarks>
internal abstract class LineObserver : ITrafficObserver, IDisposable
{
    /// <summary>The most commands (or replies) waiting to be matched before the observer gives up.</summary>
    internal const int MaxPending = 32;

    private readonly SessionInfo _session;
    private readonly Lock _gate = new();
    private volatile bool _finished;
    private volatile bool _sniffing;

    private LineAssembler _client;
    private LineAssembler _target;

    // Created with the first line to parse: sniffed sessions mostly finish before that.
    private ILineDialogue? _dialogue;

    // The switch generation whose resumption last reset the exchange (see Resume).
    private int _resetGeneration;

    /// <summary>Creates the observer of one session.</summary>
    /// <param name="context">Sink, switch, clock, logger.</param>
    /// <param name="session">The session.</param>
    /// <param name="protocol">The protocol name, as records and logs show it.</param>
    /// <param name="maxLineLength">The longest line accepted, line end included.</param>
    /// <param name="sniff">Whether to check the first bytes (<see cref="Sniff"/>) before watching.</param>
    protected LineObserver(DissectorContext context, SessionInfo session, string protocol, int maxLineLength, bool sniff)
    {
        Context = context;
        _session = session;
        Protocol = protocol;
        _sniffing = sniff;
        _client = new LineAssembler(maxLineLength);
        _target = new LineAssembler(maxLineLength);
        _resetGeneration = context.Switch.Generation;
    }

    public bool IsFinished => _finished;

    /// <summary>The protocol name.</summary>
    protected string Protocol { get; }

    /// <summary>Sink, switch, clock, logger.</summary>
    protected DissectorContext Context { get; }

    public void OnClientData(ReadOnlySpan<byte> data) => OnData(data, fromClient: true);

    public void OnTargetData(ReadOnlySpan<byte> data) => OnData(data, fromClient: false);

    /// <summary>Ends the observation: credentials still waiting for an answer are logged as unknown.</summary>
    public void Dispose()
    {
        try
        {
            lock (_gate)
            {
                Finish(StopReason.SessionEnded);
            }
        }
        catch (Exception ex)
        {
            // Dispose runs on the session's teardown path; a failing sink must not break it.
            Fail(ex);
        }
    }

    /// <summary>Creates the dialogue, with the first line to parse.</summary>
    /// <param name="emitter">Where its credentials go.</param>
    /// <returns>The dialogue.</returns>
    protected abstract ILineDialogue CreateDialogue(RecordEmitter emitter);

    /// <summary>Checks the first bytes of a session on a port not configured for the protocol (called under the lock).</summary>
    /// <param name="data">The chunk.</param>
    /// <param name="fromClient">The direction.</param>
    /// <returns>Done: it is the protocol; NeedMoreData: not known yet; InvalidData: it is not.</returns>
    protected virtual OperationStatus Sniff(ReadOnlySpan<byte> data, bool fromClient) => OperationStatus.Done;

    private void OnData(ReadOnlySpan<byte> data, bool fromClient)
    {
        if (_finished || data.IsEmpty)
        {
            return;
        }

        // The cost while switched off: two volatile reads and two field writes, no lock.
        if (!_sniffing && !Context.Switch.Enabled)
        {
            Lines(fromClient).Skip(data);
            return;
        }

        try
        {
            lock (_gate)
            {
                if (_finished)
                {
                    return;
                }

                if (_sniffing && !CheckFirstBytes(data, fromClient))
                {
                    return;
                }

                if (!Context.Switch.Enabled)
                {
                    Lines(fromClient).Skip(data);
                    return;
                }

                Feed(data, fromClient);
            }
        }
        catch (Exception ex)
        {
            // Whatever went wrong (our bug, or the sink threw) stops this observer only; the relay
            // must never see it.
            Fail(ex);
        }
    }

    private ref LineAssembler Lines(bool fromClient) => ref fromClient ? ref _client : ref _target;

    private void Fail(Exception exception)
    {
        Context.ReportFailure(Protocol, _session.SessionId, exception);
        lock (_gate)
        {
            // No draining: the state that threw is not trusted to produce records.
            _finished = true;
            Release();
        }
    }

    /// <returns>False if the observer finished (not the protocol).</returns>
    private bool CheckFirstBytes(ReadOnlySpan<byte> data, bool fromClient)
    {
        switch (Sniff(data, fromClient))
        {
            case OperationStatus.InvalidData:
                Finish(StopReason.NotThisProtocol);
                return false;
            case OperationStatus.Done:
                _sniffing = false;
                return true;
            default:
                return true;
        }
    }

    private void Feed(ReadOnlySpan<byte> data, bool fromClient)
    {
        var dialogue = _dialogue ??= CreateDialogue(new RecordEmitter(Context, _session, Protocol));
        ref var lines = ref Lines(fromClient);
        if (lines.Resume())
        {
            Resume(dialogue, fromClient);
        }

        while (!_finished)
        {
            var status = lines.TryReadLine(ref data, out var line);
            if (status == OperationStatus.NeedMoreData)
            {
                return;
            }

            if (status == OperationStatus.InvalidData)
            {
                Finish(StopReason.LineTooLong);
                return;
            }

            var stop = fromClient ? dialogue.OnClientLine(line) : dialogue.OnServerLine(line);
            if (stop is { } reason)
            {
                Finish(reason);
                return;
            }

            if (dialogue.TakeOpaqueLength(fromClient) is var opaque and > 0)
            {
                lines.PassOpaque(opaque);
            }
        }
    }

    /// <summary>The switch was off while bytes of this direction passed (the assembler resumes at a line boundary).</summary>
    private void Resume(ILineDialogue dialogue, bool fromClient)
    {
        // Commands or replies were skipped: what was pending cannot be matched any more. Reset once
        // per switch-on, not per direction, or the second direction to resume would wipe what the
        // first one has already queued since.
        var generation = Context.Switch.Generation;
        var newExchange = generation != _resetGeneration;
        _resetGeneration = generation;
        dialogue.OnResume(fromClient, newExchange);
    }

    /// <summary>
    /// Stops watching. When the session ended or the observer gives up, credentials still waiting for
    /// an answer are logged as unknown; after a login or STARTTLS, lines pipelined behind it are not
    /// credentials and are dropped.
    /// </summary>
    private void Finish(StopReason reason)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        if (reason is StopReason.SessionEnded or StopReason.LineTooLong or StopReason.TooManyPending or StopReason.Unframed)
        {
            _dialogue?.EndUnanswered();
        }

        Release();
        Log.StoppedWatching(Context.Logger, Protocol, _session.SessionId, reason);
    }

    private void Release()
    {
        _client.Release();
        _target.Release();
        _dialogue?.Clear();
    }
}
