using System.Buffers;
using System.Buffers.Text;

namespace Socks.Core.Dissectors;

/// <summary>
/// Watches one session for POP3 credentials (RFC 1939 §7 USER/PASS and APOP, RFC 5034 AUTH PLAIN)
/// and the server's verdict on each.
/// </summary>
/// <remarks>
/// <para>Lines are assembled incrementally from chunks split anywhere; CRLF or bare LF ends a line.
/// At most one partial line per direction is kept, in a 512-byte buffer rented only while a line is
/// incomplete. A line longer than 512 octets (RFC 2449 §4: the response limit, which also covers
/// long AUTH PLAIN responses) stops the observer without buffering it.</para>
/// <para>Matching: POP3 servers answer commands in order, also when the client pipelines them (RFC 2449
/// §6.6). Client lines and server status lines therefore form two FIFOs matched by position, which
/// does not depend on how the relay's two threads interleave their calls (a reply may be seen before
/// the command it answers). The first server line is the greeting. A <c>+</c> continuation keeps a
/// SASL exchange open; the client lines sent during it are SASL responses, not commands. Multi-line
/// replies seen before login (CAPA, AUTH without arguments) are skipped up to the terminating
/// <c>.</c> line.</para>
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

    private static readonly byte[] Plain = "PLAIN"u8.ToArray();

    private readonly Pop3DissectorFactory _owner;
    private readonly SessionInfo _session;
    private readonly Lock _gate = new();
    private volatile bool _finished;
    private volatile bool _sniffing;

    private LineState _client;
    private LineState _target;

    // Greeting sniffing on ports not configured as POP3: bytes of each stream checked so far.
    private int _clientSniffed;
    private uint _clientVerb;
    private int _targetSniffed;

    private bool _greetingSeen;
    private long _serverLines;
    private bool _inBody;
    private Queue<ClientUnit>? _commands;
    private Queue<ServerReply>? _replies;

    // Client side: the next client line is the response to "AUTH PLAIN" without initial response.
    private bool _clientExpectsPlainResponse;

    // The switch generation whose resumption last reset the exchange (see Resume).
    private int _resetGeneration;

    // Matching side: state of the dialogue as replies are matched to commands.
    private byte[]? _lastUser;
    private bool _saslActive;
    private bool _saslPlainPending;
    private ClientUnit? _saslCredential;

    public Pop3Observer(Pop3DissectorFactory owner, SessionInfo session, bool sniffGreeting)
    {
        _owner = owner;
        _session = session;
        _sniffing = sniffGreeting;
        _resetGeneration = owner.Switch.Generation;
    }

    private enum CommandKind : byte
    {
        Other,
        User,
        Pass,
        Apop,
        AuthPlain,
        AuthOther,
        MultiLine,
        StartTls,
        Transaction,
    }

    private enum ReplyKind : byte
    {
        Ok,
        Error,
        Continue,

        // Not a server reply: what a pending command is matched with when the answer will never be seen.
        Unknown,
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
            NoteSkipped(data, fromClient);
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
                    NoteSkipped(data, fromClient);
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

    private void NoteSkipped(ReadOnlySpan<byte> data, bool fromClient)
    {
        ref var state = ref fromClient ? ref _client : ref _target;
        state.Skipped = true;
        state.SkippedToLineEnd = data[^1] == (byte)'\n';
    }

    /// <summary>Checks the first bytes of a session on a port not configured as POP3.</summary>
    /// <returns>False if the observer finished (not POP3).</returns>
    private bool Sniff(ReadOnlySpan<byte> data, bool fromClient)
    {
        if (fromClient)
        {
            // A POP3 client waits for the greeting, but the relay may report its first command before
            // the greeting it answers: accept a client that starts with a POP3 AUTHORIZATION verb.
            for (var i = 0; i < data.Length && _clientSniffed < 4; i++)
            {
                _clientVerb = (_clientVerb << 8) | (uint)(data[i] & 0xDF);
                _clientSniffed++;
            }

            if (_clientSniffed == 4 && !IsAuthorizationVerb(_clientVerb))
            {
                Finish(Pop3StopReason.NotPop3);
                return false;
            }

            return true;
        }

        // RFC 1939 §4: the greeting is "+OK" followed by text (or at least by the line end).
        for (var i = 0; i < data.Length && _targetSniffed < 4; i++)
        {
            var b = data[i];
            var ok = _targetSniffed switch
            {
                0 => b == (byte)'+',
                1 => (b & 0xDF) == (byte)'O',
                2 => (b & 0xDF) == (byte)'K',
                _ => b is (byte)' ' or (byte)'\r' or (byte)'\n',
            };
            if (!ok)
            {
                Finish(Pop3StopReason.NotPop3);
                return false;
            }

            _targetSniffed++;
        }

        if (_targetSniffed == 4)
        {
            _sniffing = false;
        }

        return true;
    }

    private static bool IsAuthorizationVerb(uint verb) => verb switch
    {
        0x55534552 => true, // USER
        0x50415353 => true, // PASS
        0x41504F50 => true, // APOP
        0x41555448 => true, // AUTH
        0x43415041 => true, // CAPA
        0x53544C53 => true, // STLS
        0x51554954 => true, // QUIT
        _ => false,
    };

    private void Feed(ReadOnlySpan<byte> data, bool fromClient)
    {
        ref var state = ref fromClient ? ref _client : ref _target;
        if (state.Skipped)
        {
            Resume(ref state, fromClient);
        }

        while (!data.IsEmpty && !_finished)
        {
            var lf = data.IndexOf((byte)'\n');
            if (state.Discarding)
            {
                if (lf < 0)
                {
                    return;
                }

                state.Discarding = false;
                data = data[(lf + 1)..];
                continue;
            }

            if (lf < 0)
            {
                // A partial line: keep it only while it can still end within the limit.
                if (state.Length + data.Length > MaxLineLength - 1)
                {
                    Finish(Pop3StopReason.LineTooLong);
                    return;
                }

                state.Buffer ??= ArrayPool<byte>.Shared.Rent(MaxLineLength);
                data.CopyTo(state.Buffer.AsSpan(state.Length));
                state.Length += data.Length;
                return;
            }

            if (state.Length + lf + 1 > MaxLineLength)
            {
                Finish(Pop3StopReason.LineTooLong);
                return;
            }

            ReadOnlySpan<byte> line;
            if (state.Length == 0)
            {
                line = data[..lf];
            }
            else
            {
                data[..lf].CopyTo(state.Buffer.AsSpan(state.Length));
                line = state.Buffer.AsSpan(0, state.Length + lf);
            }

            data = data[(lf + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (fromClient)
            {
                OnClientLine(line);
            }
            else
            {
                OnServerLine(line);
            }

            // The partial line is consumed: give the buffer back until a line is split again.
            state.Length = 0;
            ReturnBuffer(ref state);
        }
    }

    /// <summary>The switch was off while bytes of this direction passed: start again at a line boundary.</summary>
    private void Resume(ref LineState state, bool fromClient)
    {
        state.Skipped = false;
        state.Length = 0;
        ReturnBuffer(ref state);
        state.Discarding = !state.SkippedToLineEnd;
        if (!fromClient)
        {
            // Server bytes went by, so the greeting did.
            _greetingSeen = true;
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
        _commands?.Clear();
        _replies?.Clear();
        _inBody = false;
        _saslActive = false;
        _saslPlainPending = false;
        _saslCredential = null;
        _clientExpectsPlainResponse = false;
    }

    private void OnServerLine(ReadOnlySpan<byte> line)
    {
        _serverLines++;
        if (!_greetingSeen)
        {
            _greetingSeen = true;
            if (!StartsWithIgnoreCase(line, "+OK"u8))
            {
                Finish(Pop3StopReason.NotPop3);
            }

            return;
        }

        if (_inBody)
        {
            // RFC 1939 §3: a multi-line reply ends with a line holding only "."; body lines that start
            // with "." are byte-stuffed, so they are longer.
            if (line.Length == 1 && line[0] == (byte)'.')
            {
                _inBody = false;
            }

            return;
        }

        ReplyKind kind;
        if (StartsWithIgnoreCase(line, "+OK"u8))
        {
            kind = ReplyKind.Ok;
        }
        else if (StartsWithIgnoreCase(line, "-ERR"u8))
        {
            kind = ReplyKind.Error;
        }
        else if (!line.IsEmpty && line[0] == (byte)'+')
        {
            // RFC 5034 §4: "+" SP base64 challenge (some servers send "+" alone).
            kind = ReplyKind.Continue;
        }
        else
        {
            // Not a status line: the body of a multi-line reply whose command has not been seen yet
            // (the relay reported the reply first). Skip to its end.
            _inBody = !(line.Length == 1 && line[0] == (byte)'.');
            return;
        }

        var reply = new ServerReply(kind, _serverLines);
        if (_commands is { Count: > 0 })
        {
            Match(_commands.Dequeue(), reply);
        }
        else
        {
            _replies ??= new Queue<ServerReply>(2);
            if (_replies.Count >= MaxPending)
            {
                Finish(Pop3StopReason.TooManyPending);
                return;
            }

            _replies.Enqueue(reply);
        }
    }

    private void OnClientLine(ReadOnlySpan<byte> line)
    {
        var unit = ParseClientLine(line);
        if (_replies is { Count: > 0 })
        {
            Match(unit, _replies.Dequeue());
        }
        else
        {
            _commands ??= new Queue<ClientUnit>(2);
            if (_commands.Count >= MaxPending)
            {
                Finish(Pop3StopReason.TooManyPending);
                return;
            }

            _commands.Enqueue(unit);
        }
    }

    /// <summary>
    /// Parses a client line as a command, and, when it follows "AUTH PLAIN" without an initial
    /// response, also as a SASL PLAIN response: which one it was is known only once the server's
    /// answer to the AUTH command is matched.
    /// </summary>
    private ClientUnit ParseClientLine(ReadOnlySpan<byte> line)
    {
        var unit = new ClientUnit();
        if (_clientExpectsPlainResponse)
        {
            _clientExpectsPlainResponse = false;
            if (TryDecodePlain(line, out var user, out var password))
            {
                unit.SaslUser = user;
                unit.SaslSecret = password;
                unit.Time = Now();
            }
        }

        var space = line.IndexOf((byte)' ');
        var verb = space < 0 ? line : line[..space];
        var argument = space < 0 ? [] : line[(space + 1)..];
        var hasArgument = !argument.IsEmpty;

        if (EqualsIgnoreCase(verb, "USER"u8))
        {
            unit.Kind = CommandKind.User;
            unit.User = argument.ToArray();
        }
        else if (EqualsIgnoreCase(verb, "PASS"u8))
        {
            // RFC 1939 §7: the password is the rest of the line; it may contain spaces.
            unit.Kind = CommandKind.Pass;
            unit.Secret = argument.ToArray();
            unit.Time = Now();
        }
        else if (EqualsIgnoreCase(verb, "APOP"u8))
        {
            // "APOP name digest": the digest is the last word.
            var last = argument.LastIndexOf((byte)' ');
            if (last > 0)
            {
                unit.Kind = CommandKind.Apop;
                unit.User = argument[..last].ToArray();
                unit.Secret = argument[(last + 1)..].ToArray();
                unit.Time = Now();
            }
        }
        else if (EqualsIgnoreCase(verb, "AUTH"u8))
        {
            ParseAuth(argument, hasArgument, ref unit);
        }
        else if (EqualsIgnoreCase(verb, "STLS"u8))
        {
            unit.Kind = CommandKind.StartTls;
        }
        else if (EqualsIgnoreCase(verb, "CAPA"u8))
        {
            unit.Kind = CommandKind.MultiLine;
        }
        else if (EqualsIgnoreCase(verb, "LIST"u8) || EqualsIgnoreCase(verb, "UIDL"u8)
            || EqualsIgnoreCase(verb, "RETR"u8) || EqualsIgnoreCase(verb, "TOP"u8)
            || EqualsIgnoreCase(verb, "STAT"u8) || EqualsIgnoreCase(verb, "DELE"u8))
        {
            // Valid only after login; their multi-line bodies never matter, since +OK ends the watch.
            unit.Kind = CommandKind.Transaction;
        }

        return unit;
    }

    private void ParseAuth(ReadOnlySpan<byte> argument, bool hasArgument, ref ClientUnit unit)
    {
        if (!hasArgument)
        {
            // "AUTH" alone lists the mechanisms as a multi-line reply (a common extension).
            unit.Kind = CommandKind.MultiLine;
            return;
        }

        var space = argument.IndexOf((byte)' ');
        var mechanism = space < 0 ? argument : argument[..space];
        if (!EqualsIgnoreCase(mechanism, Plain))
        {
            unit.Kind = CommandKind.AuthOther;
            return;
        }

        unit.Kind = CommandKind.AuthPlain;
        if (space < 0)
        {
            _clientExpectsPlainResponse = true;
            return;
        }

        unit.HasInitialResponse = true;
        if (TryDecodePlain(argument[(space + 1)..], out var user, out var password))
        {
            unit.User = user;
            unit.Secret = password;
            unit.Time = Now();
        }
    }

    /// <summary>Applies a server reply to the client line it answers.</summary>
    private void Match(ClientUnit unit, ServerReply reply)
    {
        if (_saslActive)
        {
            // This client line answered a challenge (RFC 5034 §4), whatever it looks like.
            if (_saslPlainPending)
            {
                _saslPlainPending = false;
                if (unit.SaslUser is not null)
                {
                    _saslCredential = new ClientUnit { User = unit.SaslUser, Secret = unit.SaslSecret, Time = unit.Time };
                }
            }

            if (reply.Kind == ReplyKind.Continue)
            {
                return;
            }

            _saslActive = false;
            if (_saslCredential is { } credential)
            {
                _saslCredential = null;
                Emit(CredentialMechanism.AuthPlain, credential, reply.Kind);
            }

            if (reply.Kind == ReplyKind.Ok)
            {
                Finish(Pop3StopReason.LoggedIn);
            }

            return;
        }

        switch (unit.Kind)
        {
            case CommandKind.User:
                _lastUser = unit.User;
                break;
            case CommandKind.Pass:
                Emit(CredentialMechanism.UserPass, unit with { User = _lastUser ?? [] }, reply.Kind);
                FinishIfAccepted(reply, Pop3StopReason.LoggedIn);
                break;
            case CommandKind.Apop:
                Emit(CredentialMechanism.Apop, unit, reply.Kind);
                FinishIfAccepted(reply, Pop3StopReason.LoggedIn);
                break;
            case CommandKind.AuthPlain:
                if (reply.Kind is ReplyKind.Continue || (reply.Kind is ReplyKind.Unknown && !unit.HasInitialResponse))
                {
                    // The credentials come (or came) in the next client line, or, after an initial
                    // response, the server wants one more round before its verdict.
                    _saslActive = true;
                    _saslPlainPending = !unit.HasInitialResponse;
                    _saslCredential = unit.HasInitialResponse && unit.User is not null ? unit : null;
                    break;
                }

                if (unit.User is not null)
                {
                    Emit(CredentialMechanism.AuthPlain, unit, reply.Kind);
                }

                FinishIfAccepted(reply, Pop3StopReason.LoggedIn);
                break;
            case CommandKind.AuthOther:
                if (reply.Kind == ReplyKind.Continue)
                {
                    _saslActive = true;
                }

                FinishIfAccepted(reply, Pop3StopReason.LoggedIn);
                break;
            case CommandKind.MultiLine:
                // If the body has already gone by (the reply was seen before the command), it was
                // skipped as unrecognised lines; only a reply that is the latest server line starts it.
                _inBody = reply.Kind == ReplyKind.Ok && reply.LineNumber == _serverLines;
                break;
            case CommandKind.StartTls:
                FinishIfAccepted(reply, Pop3StopReason.StartTls);
                break;
            case CommandKind.Transaction:
                // Accepted only in the TRANSACTION state (RFC 1939 §5): the login happened unseen
                // (while the switch was off).
                FinishIfAccepted(reply, Pop3StopReason.LoggedIn);
                break;
            case CommandKind.Other:
                break;
        }
    }

    private void FinishIfAccepted(ServerReply reply, Pop3StopReason reason)
    {
        if (reply.Kind == ReplyKind.Ok)
        {
            Finish(reason);
        }
    }

    private void Emit(CredentialMechanism mechanism, ClientUnit unit, ReplyKind reply)
    {
        // Recorded only if the switch is on now, at the moment the outcome is known.
        if (!_owner.Switch.Enabled)
        {
            return;
        }

        _owner.Sink.Append(new CredentialRecord
        {
            Time = unit.Time,
            SocksUser = _session.Username,
            Client = _session.Client,
            ServerName = _session.RequestedHost,
            Server = _session.Target,
            Protocol = "POP3",
            Mechanism = mechanism,
            User = unit.User ?? [],
            Secret = unit.Secret ?? [],
            Outcome = reply switch
            {
                ReplyKind.Ok => CredentialOutcome.Accepted,
                ReplyKind.Error => CredentialOutcome.Rejected,
                _ => CredentialOutcome.Unknown,
            },
        });
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
            var unknown = new ServerReply(ReplyKind.Unknown, -1);
            while (_commands is { Count: > 0 })
            {
                Match(_commands.Dequeue(), unknown);
            }

            if (_saslActive && _saslCredential is { } credential)
            {
                Emit(CredentialMechanism.AuthPlain, credential, ReplyKind.Unknown);
            }
        }

        Release();
        Log.StoppedWatching(_owner.Logger, _session.SessionId, reason);
    }

    private void Release()
    {
        _client.Length = 0;
        _target.Length = 0;
        ReturnBuffer(ref _client);
        ReturnBuffer(ref _target);
        _commands = null;
        _replies = null;
        _lastUser = null;
        _saslCredential = null;
    }

    private static void ReturnBuffer(ref LineState state)
    {
        if (state.Buffer is { } buffer)
        {
            state.Buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private DateTimeOffset Now() => _owner.Time.GetUtcNow();

    /// <summary>
    /// Decodes a SASL PLAIN message (RFC 4616 §2): base64 of <c>authzid NUL authcid NUL passwd</c>.
    /// </summary>
    private static bool TryDecodePlain(ReadOnlySpan<byte> base64, out byte[]? user, out byte[]? password)
    {
        user = null;
        password = null;

        // A line is at most 511 bytes, so the decoded message fits in 384.
        Span<byte> decoded = stackalloc byte[MaxLineLength];
        if (base64.IsEmpty
            || Base64.DecodeFromUtf8(base64, decoded, out var consumed, out var written) != OperationStatus.Done
            || consumed != base64.Length)
        {
            return false;
        }

        decoded = decoded[..written];
        var first = decoded.IndexOf((byte)0);
        if (first < 0)
        {
            return false;
        }

        var rest = decoded[(first + 1)..];
        var second = rest.IndexOf((byte)0);
        if (second < 0)
        {
            return false;
        }

        user = rest[..second].ToArray();
        password = rest[(second + 1)..].ToArray();
        return true;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> upperAscii) =>
        value.Length == upperAscii.Length && StartsWithIgnoreCase(value, upperAscii);

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> upperAscii)
    {
        if (value.Length < upperAscii.Length)
        {
            return false;
        }

        for (var i = 0; i < upperAscii.Length; i++)
        {
            var b = value[i];
            if (b is >= (byte)'a' and <= (byte)'z')
            {
                b -= 0x20;
            }

            if (b != upperAscii[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One direction's line assembly.</summary>
    private struct LineState
    {
        /// <summary>Holds the partial line; rented only while a line is split across chunks.</summary>
        public byte[]? Buffer;

        public int Length;

        /// <summary>Dropping bytes up to the next LF (resuming mid-line after the switch was off).</summary>
        public bool Discarding;

        /// <summary>Bytes went by unparsed while the switch was off. Written only by this direction's thread.</summary>
        public bool Skipped;

        /// <summary>The last skipped byte was an LF, so parsing can resume at once.</summary>
        public bool SkippedToLineEnd;
    }

    /// <summary>A client line waiting for (or matched with) its reply.</summary>
    private record struct ClientUnit
    {
        public CommandKind Kind;
        public bool HasInitialResponse;
        public byte[]? User;
        public byte[]? Secret;
        public byte[]? SaslUser;
        public byte[]? SaslSecret;
        public DateTimeOffset Time;
    }

    private readonly record struct ServerReply(ReplyKind Kind, long LineNumber);
}
