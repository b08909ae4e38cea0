namespace Socks.Core.Dissectors.Http;

/// <summary>
/// Follows HTTP/1.0 and HTTP/1.1 requests and responses (RFC 9112) for <c>Authorization: Basic</c> and
/// <c>Proxy-Authorization: Basic</c> (RFC 7617), any method, several requests per connection, and
/// emits each credential with the outcome of the response status: 401 (407 for Proxy-Authorization)
/// rejected, 2xx and 3xx accepted, others unknown.
/// </summary>
/// <remarks>
/// Responses come in request order (RFC 9112 §9.3.2), so requests and responses are matched by
/// position. Bodies of known length are let by unparsed, chunked bodies are followed by their size
/// lines; a response body that lasts until the connection closes, a 101 (protocol switch) or a 2xx to
/// CONNECT ends the watch (nothing after it is HTTP).
/// </remarks>
internal sealed class HttpDialogue : ILineDialogue
{
    private readonly RecordEmitter _emitter;
    private readonly CommandReplyQueue<HttpRequest> _queue = new();
    private HttpFraming _client;
    private HttpFraming _server;

    // The request whose headers are being read, and the status of the response being read.
    private HttpRequest _request;
    private int _status;

    public HttpDialogue(RecordEmitter emitter)
    {
        _emitter = emitter;
    }

    public StopReason? OnClientLine(ReadOnlySpan<byte> line)
    {
        switch (_client.Part)
        {
            case HttpPart.StartLine:
                if (line.IsEmpty)
                {
                    return null;
                }

                if (!IsRequestLine(line, out var method))
                {
                    return StopReason.NotThisProtocol;
                }

                _request = new HttpRequest
                {
                    IsHead = AsciiCase.EqualsIgnoreCase(method, "HEAD"u8),
                    IsConnect = AsciiCase.EqualsIgnoreCase(method, "CONNECT"u8),
                    Time = _emitter.Time.GetUtcNow(),
                };
                _client.BeginHeaders();
                return null;
            case HttpPart.Headers:
                if (!line.IsEmpty)
                {
                    return OnRequestHeader(line);
                }

                var request = _request;
                _request = default;

                // A request without Content-Length or chunked coding has no body (RFC 9112 §6.3).
                _client.BeginBody(hasBody: true, untilClose: false);
                if (_queue.AddCommand(request, out var status, out var full))
                {
                    Emit(request, status);
                }

                return full ? StopReason.TooManyPending : null;
            default:
                return _client.OnChunkLine(line) ? null : StopReason.Unframed;
        }
    }

    public StopReason? OnServerLine(ReadOnlySpan<byte> line)
    {
        switch (_server.Part)
        {
            case HttpPart.StartLine:
                if (line.IsEmpty)
                {
                    return null;
                }

                if (!TryParseStatus(line, out _status))
                {
                    return StopReason.NotThisProtocol;
                }

                _server.BeginHeaders();
                return null;
            case HttpPart.Headers:
                if (!line.IsEmpty)
                {
                    return SplitHeader(line, out var name, out var value) && !_server.OnHeader(name, value) ? StopReason.Unframed : null;
                }

                return OnResponseHeadersEnd();
            default:
                return _server.OnChunkLine(line) ? null : StopReason.Unframed;
        }
    }

    public long TakeOpaqueLength(bool fromClient)
    {
        ref var framing = ref fromClient ? ref _client : ref _server;
        var opaque = framing.Opaque;
        framing.Opaque = 0;
        return opaque;
    }

    public void OnResume(bool fromClient, bool newExchange)
    {
        // The assembler resumes at a line boundary, which may be inside a body: start over looking
        // for a start line (a body line that is not one ends the watch).
        ref var framing = ref fromClient ? ref _client : ref _server;
        framing = default;
        if (newExchange)
        {
            _queue.Clear();
            _request = default;
        }
    }

    public void EndUnanswered()
    {
        while (_queue.TryTakeUnanswered(out var request))
        {
            Emit(request, 0);
        }
    }

    public void Clear()
    {
        _queue.Clear();
        _request = default;
    }

    private StopReason? OnRequestHeader(ReadOnlySpan<byte> line)
    {
        if (!SplitHeader(line, out var name, out var value))
        {
            return null;
        }

        if (!_client.OnHeader(name, value))
        {
            return StopReason.Unframed;
        }

        var proxy = AsciiCase.EqualsIgnoreCase(name, "PROXY-AUTHORIZATION"u8);
        if ((proxy || AsciiCase.EqualsIgnoreCase(name, "AUTHORIZATION"u8)) && TryDecodeBasic(value, out var user, out var secret))
        {
            _request = proxy ? _request with { ProxyUser = user, ProxySecret = secret } : _request with { User = user, Secret = secret };
        }

        return null;
    }

    private StopReason? OnResponseHeadersEnd()
    {
        var status = _status;
        if (status is >= 100 and < 200 and not 101)
        {
            // An interim response (100 Continue): the final one follows.
            _server.Part = HttpPart.StartLine;
            return null;
        }

        HttpRequest? answered = null;
        if (_queue.AddReply(status, out var request, out var full))
        {
            answered = request;
            Emit(request, status);
        }
        else if (full)
        {
            return StopReason.TooManyPending;
        }

        if (status == 101 || (answered is { IsConnect: true } && status / 100 == 2))
        {
            return StopReason.Unframed;
        }

        // RFC 9112 §6.3: no body after HEAD, 204 and 304 whatever the headers say.
        var hasBody = answered is not { IsHead: true } && status is not (204 or 304);
        return _server.BeginBody(hasBody, untilClose: true) ? null : StopReason.Unframed;
    }

    /// <summary>Emits the credentials of a request; status 0 means no response was seen.</summary>
    private void Emit(HttpRequest request, int status)
    {
        var success = status / 100 is 2 or 3;
        if (request.User is not null)
        {
            var outcome = success ? CredentialOutcome.Accepted : status == 401 ? CredentialOutcome.Rejected : CredentialOutcome.Unknown;
            _emitter.Emit(CredentialMechanism.Basic, request.User, request.Secret, request.Time, outcome);
        }

        if (request.ProxyUser is not null)
        {
            // A 401 comes from behind the proxy: the proxy let the request through.
            var outcome = success || status == 401 ? CredentialOutcome.Accepted : status == 407 ? CredentialOutcome.Rejected : CredentialOutcome.Unknown;
            _emitter.Emit(CredentialMechanism.Basic, request.ProxyUser, request.ProxySecret, request.Time, outcome);
        }
    }

    /// <summary><c>method SP request-target SP HTTP/x.y</c> (RFC 9112 §3), the method a token of letters.</summary>
    private static bool IsRequestLine(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> method)
    {
        method = default;
        var space = line.IndexOf((byte)' ');
        var last = line.LastIndexOf((byte)' ');
        if (space <= 0 || last <= space)
        {
            return false;
        }

        method = line[..space];
        foreach (var b in method)
        {
            if (!char.IsAsciiLetter((char)b) && b != (byte)'-')
            {
                return false;
            }
        }

        return AsciiCase.StartsWithIgnoreCase(line[(last + 1)..], "HTTP/"u8);
    }

    /// <summary><c>HTTP/x.y SP 3DIGIT [SP reason]</c> (RFC 9112 §4).</summary>
    private static bool TryParseStatus(ReadOnlySpan<byte> line, out int status)
    {
        status = 0;
        if (!AsciiCase.StartsWithIgnoreCase(line, "HTTP/"u8))
        {
            return false;
        }

        var space = line.IndexOf((byte)' ');
        if (space < 0 || line.Length < space + 4)
        {
            return false;
        }

        var code = line.Slice(space + 1, 3);
        foreach (var b in code)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }
        }

        status = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        return line.Length == space + 4 || line[space + 4] == (byte)' ';
    }

    private static bool SplitHeader(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var colon = line.IndexOf((byte)':');
        name = colon <= 0 ? default : line[..colon];
        value = colon <= 0 ? default : line[(colon + 1)..].Trim(" \t"u8);
        return colon > 0;
    }

    /// <summary><c>Basic token68</c>: base64 of <c>user-id ":" password</c> (RFC 7617 §2).</summary>
    private static bool TryDecodeBasic(ReadOnlySpan<byte> value, out byte[]? user, out byte[]? secret)
    {
        user = null;
        secret = null;
        var space = value.IndexOf((byte)' ');
        if (space < 0 || !AsciiCase.EqualsIgnoreCase(value[..space], "BASIC"u8)
            || !Sasl.TryDecode(value[(space + 1)..].Trim((byte)' '), out var decoded))
        {
            return false;
        }

        var colon = Array.IndexOf(decoded, (byte)':');
        if (colon < 0)
        {
            return false;
        }

        user = decoded[..colon];
        secret = decoded[(colon + 1)..];
        return true;
    }
}
