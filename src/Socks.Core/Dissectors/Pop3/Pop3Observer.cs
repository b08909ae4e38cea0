using System.Buffers;

namespace Socks.Core.Dissectors.Pop3;

/// <summary>
/// Watches one session for POP3 credentials (RFC 1939 §7 USER/PASS and APOP, RFC 5034 AUTH PLAIN)
/// and the server's verdict on each.
/// </summary>
/// <remarks>
/// <para>The pieces: <see cref="Pop3Sniffer"/> decides whether a session on another port is POP3,
/// one <see cref="LineAssembler"/> per direction turns chunks split anywhere into lines (CRLF or bare
/// LF ends a line; at most one partial line per direction is kept, in a 512-byte buffer rented only
/// while a line is incomplete; a line longer than 512 octets (RFC 2449 §4: the response limit, which
/// also covers long AUTH PLAIN responses) stops the observer without buffering it), and
/// <see cref="Pop3Dialogue"/> pairs commands with replies and emits the credentials.</para>
/// <para>Thread safety: the two directions may call concurrently; all state is under one lock, which
/// only watched sessions take. While the switch is off the observer only notes that bytes were
/// skipped (no lock); when it is switched on again it resumes at the next line boundary with an empty
/// exchange (a credential whose command or reply was skipped is missed).</para>
/// </remarks>
internal sealed class Pop3Observer : ITrafficObserver, IDisposable
{
    /// <summary>The longest line accepted, CRLF included (RFC 2449 §4).</summary>
    internal const int MaxLineLength = 512;

    /// <summary>The most commands (or replies) waiting to be matched before the observer gives up.</summary>
    internal const int MaxPending = 32;

    private readonly Pop3DissectorFactory _owner;
    private readonly SessionInfo _session;
    private readonly Lock _gate = new();
    private volatile bool _finished;
    private volatile bool _sniffing;

    private LineAssembler _client = new(MaxLineLength);
    private LineAssembler _target = new(MaxLineLength);
    private Pop3Sniffer _sniffer;

    // Created with the first line to parse: most sessions are not POP3 and finish while sniffing.
    private Pop3Dialogue? _dialogue;

    // The switch generation whose resumption last reset the exchange (see Resume).
    private int _resetGeneration;

    public Pop3Observer(Pop3DissectorFactory owner, SessionInfo session, bool sniffGreeting)
    {
        _owner = owner;
        _session = session;
        _sniffing = sniffGreeting;
        _resetGeneration = owner.Switch.Generation;
    }

    public bool IsFinished => _finished;

    public void OnClientData(ReadOnlySpan<byte> data) => OnData(data, fromClient: true);

    public void OnTargetData(ReadOnlySpan<byte> data) => OnData(data, fromClient: false);

    /// <summary>Ends the observation: credentials still waiting for an answer are logged as unknown.</summary>
    public void Dispose()
    {
        try
        {
            lock (_gate)
            {
                Finish(Pop3StopReason.SessionEnded);
            }
        }
        catch (Exception ex)
        {
            // Dispose runs on the session's teardown path; a failing sink must not break it.
            Fail(ex);
        }
    }

    private void OnData(ReadOnlySpan<byte> data, bool fromClient)
    {
        if (_finished || data.IsEmpty)
        {
            return;
        }

        // The cost while switched off: two volatile reads and two field writes, no lock.
        if (!_sniffing && !_owner.Switch.Enabled)
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

                if (_sniffing && !Sniff(data, fromClient))
                {
                    return;
                }

                if (!_owner.Switch.Enabled)
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
        _owner.ReportFailure(_session.SessionId, exception);
        lock (_gate)
        {
            // No draining: the state that threw is not trusted to produce records.
            _finished = true;
            Release();
        }
    }

    /// <summary>Checks the first bytes of a session on a port not configured as POP3.</summary>
    /// <returns>False if the observer finished (not POP3).</returns>
    private bool Sniff(ReadOnlySpan<byte> data, bool fromClient)
    {
        switch (_sniffer.Check(data, fromClient))
        {
            case OperationStatus.InvalidData:
                Finish(Pop3StopReason.NotPop3);
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
        var dialogue = _dialogue ??= new Pop3Dialogue(new Pop3RecordEmitter(_owner, _session), _owner.Time);
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
                Finish(Pop3StopReason.LineTooLong);
                return;
            }

            var stop = fromClient ? dialogue.OnClientLine(line) : dialogue.OnServerLine(line);
            if (stop is { } reason)
            {
                Finish(reason);
            }
        }
    }

    /// <summary>The switch was off while bytes of this direction passed (the assembler resumes at a line boundary).</summary>
    private void Resume(Pop3Dialogue dialogue, bool fromClient)
    {
        if (!fromClient)
        {
            // Server bytes went by, so the greeting did.
            dialogue.SkipGreeting();
        }

        // Commands or replies were skipped: what was pending cannot be matched any more. Reset once
        // per switch-on, not per direction, or the second direction to resume would wipe what the
        // first one has already queued since.
        var generation = _owner.Switch.Generation;
        if (generation == _resetGeneration)
        {
            return;
        }

        _resetGeneration = generation;
        dialogue.ResetExchange();
    }

    /// <summary>
    /// Stops watching. When the session ended or the observer gives up, credentials still waiting for
    /// an answer are logged as unknown; after a login or STLS, lines pipelined behind it are not
    /// AUTHORIZATION-state credentials and are dropped.
    /// </summary>
    private void Finish(Pop3StopReason reason)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        if (reason is Pop3StopReason.SessionEnded or Pop3StopReason.LineTooLong or Pop3StopReason.TooManyPending)
        {
            _dialogue?.EndUnanswered();
        }

        Release();
        Log.StoppedWatching(_owner.Logger, _session.SessionId, reason);
    }

    private void Release()
    {
        _client.Release();
        _target.Release();
        _dialogue?.Clear();
    }
}
