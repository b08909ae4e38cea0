namespace Socks.Core.Dissectors.Pop3;

/// <summary>
/// Pairs POP3 client lines with the server replies that answer them and emits each credential once its
/// outcome is known (RFC 1939 §7 USER/PASS and APOP, RFC 5034 AUTH PLAIN).
/// </summary>
/// <remarks>
/// <para>POP3 servers answer commands in order, also when the client pipelines them (RFC 2449 §6.6).
/// Client lines and server status lines therefore form two FIFOs matched by position, which does not
/// depend on how the relay's two threads interleave their calls (a reply may be seen before the command
/// it answers). The first server line is the greeting. A <c>+</c> continuation keeps a SASL exchange
/// open; the client lines sent during it are SASL responses, not commands. Multi-line replies seen
/// before login (CAPA, AUTH without arguments) are skipped up to the terminating <c>.</c> line.</para>
/// <para>Not thread-safe: the observer calls it under its lock. A call that returns a
/// <see cref="StopReason"/> means the watch is over; the observer then stops feeding it.</para>
/// </remarks>
internal sealed class Pop3Dialogue : ILineDialogue
{
    private readonly RecordEmitter _emitter;
    private Pop3CommandParser _parser;

    private bool _greetingSeen;
    private long _serverLines;
    private bool _inBody;
    private Queue<Pop3ClientLine>? _commands;
    private Queue<Pop3ServerReply>? _replies;

    // State of the dialogue as replies are matched to commands.
    private byte[]? _lastUser;
    private bool _saslActive;
    private bool _saslPlainPending;
    private Pop3ClientLine? _saslCredential;

    /// <summary>Creates the dialogue of one session.</summary>
    /// <param name="emitter">Where credentials go once their outcome is known.</param>
    public Pop3Dialogue(RecordEmitter emitter)
    {
        _emitter = emitter;
        _parser = new Pop3CommandParser(emitter.Time);
    }

    /// <inheritdoc/>
    public void OnResume(bool fromClient, bool newExchange)
    {
        if (!fromClient)
        {
            // Server bytes went by unseen, so the greeting did.
            _greetingSeen = true;
        }

        if (newExchange)
        {
            ResetExchange();
        }
    }

    /// <summary>
    /// Forgets the exchange in progress: commands or replies were skipped, so what was pending cannot
    /// be matched any more.
    /// </summary>
    private void ResetExchange()
    {
        _commands?.Clear();
        _replies?.Clear();
        _inBody = false;
        _saslActive = false;
        _saslPlainPending = false;
        _saslCredential = null;
        _parser.Reset();
    }

    /// <summary>Takes one server line.</summary>
    /// <param name="line">The line without its line end.</param>
    /// <returns>Why the watch is over, or null to go on.</returns>
    public StopReason? OnServerLine(ReadOnlySpan<byte> line)
    {
        _serverLines++;
        if (!_greetingSeen)
        {
            _greetingSeen = true;
            return AsciiCase.StartsWithIgnoreCase(line, "+OK"u8) ? null : StopReason.NotThisProtocol;
        }

        if (_inBody)
        {
            // RFC 1939 §3: a multi-line reply ends with a line holding only "."; body lines that start
            // with "." are byte-stuffed, so they are longer.
            if (line.Length == 1 && line[0] == (byte)'.')
            {
                _inBody = false;
            }

            return null;
        }

        Pop3ReplyKind kind;
        if (AsciiCase.StartsWithIgnoreCase(line, "+OK"u8))
        {
            kind = Pop3ReplyKind.Ok;
        }
        else if (AsciiCase.StartsWithIgnoreCase(line, "-ERR"u8))
        {
            kind = Pop3ReplyKind.Error;
        }
        else if (!line.IsEmpty && line[0] == (byte)'+')
        {
            // RFC 5034 §4: "+" SP base64 challenge (some servers send "+" alone).
            kind = Pop3ReplyKind.Continue;
        }
        else
        {
            // Not a status line: the body of a multi-line reply whose command has not been seen yet
            // (the relay reported the reply first). Skip to its end.
            _inBody = !(line.Length == 1 && line[0] == (byte)'.');
            return null;
        }

        var reply = new Pop3ServerReply(kind, _serverLines);
        if (_commands is { Count: > 0 })
        {
            return Match(_commands.Dequeue(), reply);
        }

        _replies ??= new Queue<Pop3ServerReply>(2);
        if (_replies.Count >= LineObserver.MaxPending)
        {
            return StopReason.TooManyPending;
        }

        _replies.Enqueue(reply);
        return null;
    }

    /// <summary>Takes one client line.</summary>
    /// <param name="line">The line without its line end.</param>
    /// <returns>Why the watch is over, or null to go on.</returns>
    public StopReason? OnClientLine(ReadOnlySpan<byte> line)
    {
        var unit = _parser.Parse(line);
        if (_replies is { Count: > 0 })
        {
            return Match(unit, _replies.Dequeue());
        }

        _commands ??= new Queue<Pop3ClientLine>(2);
        if (_commands.Count >= LineObserver.MaxPending)
        {
            return StopReason.TooManyPending;
        }

        _commands.Enqueue(unit);
        return null;
    }

    /// <summary>
    /// The answers will never be seen (the session ended, or the watch gave up): credentials still
    /// waiting for one are emitted as unknown.
    /// </summary>
    public void EndUnanswered()
    {
        var unknown = new Pop3ServerReply(Pop3ReplyKind.Unknown, -1);
        while (_commands is { Count: > 0 })
        {
            // The watch is over already: a stop reason from here changes nothing.
            _ = Match(_commands.Dequeue(), unknown);
        }

        if (_saslActive && _saslCredential is { } credential)
        {
            Emit(CredentialMechanism.AuthPlain, credential, Pop3ReplyKind.Unknown);
        }
    }

    /// <summary>Drops everything held (queues, the last user name, a pending SASL credential).</summary>
    public void Clear()
    {
        _commands = null;
        _replies = null;
        _lastUser = null;
        _saslCredential = null;
    }

    /// <summary>Applies a server reply to the client line it answers.</summary>
    private StopReason? Match(Pop3ClientLine unit, Pop3ServerReply reply)
    {
        if (_saslActive)
        {
            return MatchSaslResponse(unit, reply);
        }

        switch (unit.Kind)
        {
            case Pop3CommandKind.User:
                // RFC 1939 §7: PASS is valid only right after a USER the server accepted.
                _lastUser = reply.Kind is Pop3ReplyKind.Error ? null : unit.User;
                return null;
            case Pop3CommandKind.Pass:
                if (_lastUser is { } user)
                {
                    Emit(CredentialMechanism.UserPass, unit with { User = user }, reply.Kind);
                }

                // Without a USER (none, refused, or already used by an earlier PASS) it names nobody's password and
                // is not a credential: not recorded. Each PASS consumes its USER: a retry needs a new USER.
                _lastUser = null;
                return LoggedInIfAccepted(reply);
            case Pop3CommandKind.Apop:
                Emit(CredentialMechanism.Apop, unit, reply.Kind);
                return LoggedInIfAccepted(reply);
            case Pop3CommandKind.AuthPlain:
                if (reply.Kind is Pop3ReplyKind.Continue || (reply.Kind is Pop3ReplyKind.Unknown && !unit.HasInitialResponse))
                {
                    // The credentials come (or came) in the next client line, or, after an initial
                    // response, the server wants one more round before its verdict.
                    _saslActive = true;
                    _saslPlainPending = !unit.HasInitialResponse;
                    _saslCredential = unit.HasInitialResponse && unit.User is not null ? unit : null;
                    return null;
                }

                if (unit.User is not null)
                {
                    Emit(CredentialMechanism.AuthPlain, unit, reply.Kind);
                }

                return LoggedInIfAccepted(reply);
            case Pop3CommandKind.AuthOther:
                if (reply.Kind == Pop3ReplyKind.Continue)
                {
                    _saslActive = true;
                }

                return LoggedInIfAccepted(reply);
            case Pop3CommandKind.MultiLine:
                // If the body has already gone by (the reply was seen before the command), it was
                // skipped as unrecognised lines; only a reply that is the latest server line starts it.
                _inBody = reply.Kind == Pop3ReplyKind.Ok && reply.LineNumber == _serverLines;
                return null;
            case Pop3CommandKind.StartTls:
                return reply.Kind == Pop3ReplyKind.Ok ? StopReason.StartTls : null;
            case Pop3CommandKind.Transaction:
                // Accepted only in the TRANSACTION state (RFC 1939 §5): the login happened unseen
                // (while the switch was off).
                return LoggedInIfAccepted(reply);
            default:
                return null;
        }
    }

    /// <summary>This client line answered a challenge (RFC 5034 §4), whatever it looks like.</summary>
    private StopReason? MatchSaslResponse(Pop3ClientLine unit, Pop3ServerReply reply)
    {
        if (_saslPlainPending)
        {
            _saslPlainPending = false;
            if (unit.SaslUser is not null)
            {
                _saslCredential = new Pop3ClientLine { User = unit.SaslUser, Secret = unit.SaslSecret, Time = unit.Time };
            }
        }

        if (reply.Kind == Pop3ReplyKind.Continue)
        {
            return null;
        }

        _saslActive = false;
        if (_saslCredential is { } credential)
        {
            _saslCredential = null;
            Emit(CredentialMechanism.AuthPlain, credential, reply.Kind);
        }

        return LoggedInIfAccepted(reply);
    }

    private static StopReason? LoggedInIfAccepted(Pop3ServerReply reply) =>
        reply.Kind == Pop3ReplyKind.Ok ? StopReason.LoggedIn : null;

    private void Emit(CredentialMechanism mechanism, Pop3ClientLine unit, Pop3ReplyKind reply) =>
        _emitter.Emit(mechanism, unit.User, unit.Secret, unit.Time, reply switch
        {
            Pop3ReplyKind.Ok => CredentialOutcome.Accepted,
            Pop3ReplyKind.Error => CredentialOutcome.Rejected,
            _ => CredentialOutcome.Unknown,
        });
}
