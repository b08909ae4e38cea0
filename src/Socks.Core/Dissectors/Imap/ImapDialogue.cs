namespace Socks.Core.Dissectors.Imap;

/// <summary>
/// Follows an IMAP session before login (RFC 9051) for <c>LOGIN</c> (atoms, quoted strings, literals)
/// and <c>AUTHENTICATE PLAIN</c> (with the RFC 4959 initial response or after a <c>+</c> challenge), and
/// emits each credential once its tagged reply is seen: <c>OK</c> accepted, <c>NO</c>/<c>BAD</c> rejected.
/// </summary>
/// <remarks>
/// Commands and replies are matched by tag, so it does not matter which direction the relay reports
/// first (a tagged reply seen before its command waits for it). A tagged <c>OK</c> to a login ends the
/// watch, so does one to <c>STARTTLS</c>, and a <c>PREAUTH</c> greeting (already logged in).
/// </remarks>
internal sealed class ImapDialogue : ILineDialogue
{
    /// <summary>The longest line, or command with its literals, accepted (RFC 7162 §4 suggests servers accept 8192 octets).</summary>
    internal const int MaxLineLength = 8192;

    private readonly RecordEmitter _emitter;
    private ImapCommandReader _reader = new(MaxLineLength);
    private bool _greetingSeen;

    // The tag of an AUTHENTICATE PLAIN whose response is the next client line.
    private byte[]? _responseTag;

    private List<ImapPending>? _pending;
    private Queue<(byte[] Tag, ImapStatus Status)>? _early;

    public ImapDialogue(RecordEmitter emitter)
    {
        _emitter = emitter;
    }

    public StopReason? OnClientLine(ReadOnlySpan<byte> line)
    {
        if (_responseTag is { } tag)
        {
            _responseTag = null;
            return OnSaslResponse(tag, line);
        }

        switch (_reader.Read(line, out var arguments))
        {
            case ImapCommandReader.Result.TooLong:
                return StopReason.LineTooLong;
            case ImapCommandReader.Result.Continues:
                return null;
        }

        var stop = OnCommand(arguments);
        _reader.Done();
        return stop;
    }

    public StopReason? OnServerLine(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            return null;
        }

        var tag = line[..space];
        var rest = line[(space + 1)..];
        if (tag.Length == 1 && tag[0] == (byte)'*')
        {
            // Untagged; the greeting is the first (RFC 9051 §7.1.4: PREAUTH means already logged in).
            var greeting = !_greetingSeen;
            _greetingSeen = true;
            return greeting && AsciiCase.StartsWithIgnoreCase(rest, "PREAUTH"u8) ? StopReason.LoggedIn : null;
        }

        if (tag.Length == 1 && tag[0] == (byte)'+')
        {
            return null;
        }

        ImapStatus status;
        if (AsciiCase.StartsWithIgnoreCase(rest, "OK"u8))
        {
            status = ImapStatus.Ok;
        }
        else if (AsciiCase.StartsWithIgnoreCase(rest, "NO"u8) || AsciiCase.StartsWithIgnoreCase(rest, "BAD"u8))
        {
            status = ImapStatus.Refused;
        }
        else
        {
            return null;
        }

        if (Find(tag) is { } pending)
        {
            return Apply(pending, status);
        }

        // Seen before its command (or the reply to a command the watch ignores): keep a few.
        _early ??= new Queue<(byte[], ImapStatus)>(2);
        if (_early.Count >= LineObserver.MaxPending)
        {
            _early.Dequeue();
        }

        _early.Enqueue((tag.ToArray(), status));
        return null;
    }

    public void OnResume(bool fromClient, bool newExchange)
    {
        if (!fromClient)
        {
            _greetingSeen = true;
        }
        else
        {
            _reader.Reset();
            _responseTag = null;
        }

        if (newExchange)
        {
            _reader.Reset();
            _responseTag = null;
            _pending?.Clear();
            _early?.Clear();
        }
    }

    public void EndUnanswered()
    {
        foreach (var pending in _pending ?? [])
        {
            if (pending.Secret is not null)
            {
                Emit(pending, CredentialOutcome.Unknown);
            }
        }

        _pending?.Clear();
    }

    public void Clear()
    {
        _reader.Reset();
        _pending = null;
        _early = null;
        _responseTag = null;
    }

    private StopReason? OnCommand(List<byte[]> arguments)
    {
        if (arguments.Count < 2)
        {
            return null;
        }

        var tag = arguments[0];
        var name = arguments[1];
        ImapPending pending;
        if (AsciiCase.EqualsIgnoreCase(name, "LOGIN"u8) && arguments.Count >= 4)
        {
            pending = new ImapPending { Tag = tag, Kind = ImapCommandKind.Login, User = arguments[2], Secret = arguments[3], Time = _emitter.Time.GetUtcNow() };
        }
        else if (AsciiCase.EqualsIgnoreCase(name, "AUTHENTICATE"u8) && arguments.Count >= 3 && AsciiCase.EqualsIgnoreCase(arguments[2], "PLAIN"u8))
        {
            pending = new ImapPending { Tag = tag, Kind = ImapCommandKind.AuthenticatePlain };
            if (arguments.Count >= 4)
            {
                SetPlain(pending, arguments[3]);
            }
            else
            {
                pending.AwaitingResponse = true;
                _responseTag = tag;
            }
        }
        else if (AsciiCase.EqualsIgnoreCase(name, "STARTTLS"u8))
        {
            pending = new ImapPending { Tag = tag, Kind = ImapCommandKind.StartTls };
        }
        else
        {
            return null;
        }

        if (TakeEarly(tag) is { } status)
        {
            return Apply(pending, status);
        }

        _pending ??= new List<ImapPending>(2);
        if (_pending.Count >= LineObserver.MaxPending)
        {
            return StopReason.TooManyPending;
        }

        _pending.Add(pending);
        return null;
    }

    private StopReason? OnSaslResponse(byte[] tag, ReadOnlySpan<byte> line)
    {
        var pending = Find(tag);
        if (pending is null)
        {
            return null;
        }

        pending.AwaitingResponse = false;
        if (!(line.Length == 1 && line[0] == (byte)'*'))
        {
            // "*" cancels the exchange (RFC 9051 §6.2.2); anything else is the PLAIN message.
            SetPlain(pending, line);
        }

        return pending.Status is { } status ? Apply(pending, status) : null;
    }

    private void SetPlain(ImapPending pending, ReadOnlySpan<byte> base64)
    {
        if (Sasl.TryDecodePlain(base64, out var user, out var password))
        {
            pending.User = user;
            pending.Secret = password;
            pending.Time = _emitter.Time.GetUtcNow();
        }
    }

    private StopReason? Apply(ImapPending pending, ImapStatus status)
    {
        if (pending.AwaitingResponse)
        {
            // The reply went by before the response it answers was reported.
            pending.Status = status;
            _pending ??= new List<ImapPending>(2);
            if (!_pending.Contains(pending))
            {
                _pending.Add(pending);
            }

            return null;
        }

        _pending?.Remove(pending);
        if (pending.Kind == ImapCommandKind.StartTls)
        {
            return status == ImapStatus.Ok ? StopReason.StartTls : null;
        }

        if (pending.Secret is not null)
        {
            Emit(pending, status == ImapStatus.Ok ? CredentialOutcome.Accepted : CredentialOutcome.Rejected);
        }

        return status == ImapStatus.Ok ? StopReason.LoggedIn : null;
    }

    private ImapPending? Find(ReadOnlySpan<byte> tag)
    {
        foreach (var pending in _pending ?? [])
        {
            if (tag.SequenceEqual(pending.Tag))
            {
                return pending;
            }
        }

        return null;
    }

    private ImapStatus? TakeEarly(byte[] tag)
    {
        if (_early is not { Count: > 0 })
        {
            return null;
        }

        ImapStatus? found = null;
        var count = _early.Count;
        for (var i = 0; i < count; i++)
        {
            var entry = _early.Dequeue();
            if (found is null && entry.Tag.AsSpan().SequenceEqual(tag))
            {
                found = entry.Status;
                continue;
            }

            _early.Enqueue(entry);
        }

        return found;
    }

    private void Emit(ImapPending pending, CredentialOutcome outcome)
    {
        var mechanism = pending.Kind == ImapCommandKind.Login ? CredentialMechanism.Login : CredentialMechanism.AuthPlain;
        _emitter.Emit(mechanism, pending.User, pending.Secret, pending.Time, outcome);
    }
}
