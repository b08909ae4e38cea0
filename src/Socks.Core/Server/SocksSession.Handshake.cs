using System.Buffers;
using Socks.Core.Metrics;
using Socks.Core.Protocol;

namespace Socks.Core.Server;

/// <summary>
/// The handshake: greeting (RFC 1928 §3), username/password (RFC 1929 §2) and request (RFC 1928 §4),
/// parsed incrementally from whatever has arrived, under one timer for the whole handshake.
/// </summary>
internal sealed partial class SocksSession
{
    private readonly ArrayBufferWriter<byte> _output = new(32);

    /// <summary>A parse step of one handshake message over the received bytes.</summary>
    private delegate OperationStatus Reader<T>(ref ReadOnlySequence<byte> buffer, out T message, out SocksParseError error);

    /// <summary>Runs the handshake.</summary>
    /// <returns>The CONNECT request, or null when the session ends here (answer sent, if any).</returns>
    private async Task<SocksRequest?> HandshakeAsync(HandshakeBuffer buffer)
    {
        var options = _context.Options;
        using var timer = options.TimeProvider.CreateTimer(
            static state => ((SocksSession)state!).Abort(SessionAbortReason.HandshakeTimeout),
            this,
            options.HandshakeTimeout,
            Timeout.InfiniteTimeSpan);

        // RFC 1928 §3: the greeting, answered with the chosen method.
        var (greetingStatus, greeting, greetingError) = await ReadAsync<SocksGreeting>(buffer, Socks5Reader.TryReadGreeting).ConfigureAwait(false);
        if (greetingStatus != OperationStatus.Done)
        {
            if (greetingStatus == OperationStatus.InvalidData && greetingError == SocksParseError.NoMethods)
            {
                await RejectMethodsAsync().ConfigureAwait(false);
            }
            else
            {
                EndByViolation(greetingStatus, greetingError, "greeting");
            }

            return null;
        }

        var method = ChooseMethod(greeting);
        if (method == AuthMethod.NoAcceptableMethods)
        {
            await RejectMethodsAsync().ConfigureAwait(false);
            return null;
        }

        Socks5Writer.WriteMethodSelection(method, _output);
        await SendAsync().ConfigureAwait(false);

        // RFC 1929 §2: username/password, answered 01 00 or 01 01 (then close).
        if (method == AuthMethod.UsernamePassword && !await AuthenticateAsync(buffer).ConfigureAwait(false))
        {
            return null;
        }

        // RFC 1928 §4: the request.
        var (requestStatus, request, requestError) = await ReadAsync<SocksRequest?>(buffer, Socks5Reader.TryReadRequest).ConfigureAwait(false);
        if (requestStatus != OperationStatus.Done)
        {
            if (requestStatus == OperationStatus.InvalidData && requestError.ToReplyCode() is { } code)
            {
                // X'08' for an unknown ATYP, X'01' for a zero-length domain name.
                await ReplyAsync(code).ConfigureAwait(false);
                _endReason = $"bad request ({requestError})";
                Log.ProtocolViolation(_context.Logger, Id, requestError.ToString());
            }
            else
            {
                EndByViolation(requestStatus, requestError, "request");
            }

            return null;
        }

        _requestedHost = request!.HostBytes;
        _requestedPort = request.Port;
        if (request.Command != (byte)SocksCommand.Connect)
        {
            // BIND, UDP ASSOCIATE and any unassigned command (RFC 1928 §6).
            await ReplyAsync(ReplyCode.CommandNotSupported).ConfigureAwait(false);
            _endReason = $"command {request.Command:x2} not supported";
            return null;
        }

        return request;
    }

    private AuthMethod ChooseMethod(SocksGreeting greeting)
    {
        var options = _context.Options;
        if (options.Users.HasUsers)
        {
            return greeting.Offers(AuthMethod.UsernamePassword) ? AuthMethod.UsernamePassword : AuthMethod.NoAcceptableMethods;
        }

        // No users: nobody can pass X'02', and X'00' only when anonymous use is allowed.
        return options.AllowAnonymous && greeting.Offers(AuthMethod.NoAuthentication)
            ? AuthMethod.NoAuthentication
            : AuthMethod.NoAcceptableMethods;
    }

    private async Task RejectMethodsAsync()
    {
        Socks5Writer.WriteMethodSelection(AuthMethod.NoAcceptableMethods, _output);
        _end = SessionEnd.NoAcceptableMethod;
        _endReason = "no acceptable method";
        Log.NoAcceptableMethod(_context.Logger, Id);
        await SendAsync().ConfigureAwait(false);
    }

    private async Task<bool> AuthenticateAsync(HandshakeBuffer buffer)
    {
        var (status, credentials, error) = await ReadAsync<UsernamePasswordRequest?>(buffer, Socks5Reader.TryReadUsernamePassword).ConfigureAwait(false);
        if (status != OperationStatus.Done && !(status == OperationStatus.InvalidData && error == SocksParseError.BadLength))
        {
            EndByViolation(status, error, "username/password request");
            return false;
        }

        // A zero-length name or password can never match: it fails like a wrong password.
        var valid = credentials is not null
            && await _context.Options.Users.ValidateAsync(credentials.Username, credentials.Password, Closed).ConfigureAwait(false);
        Socks5Writer.WriteAuthStatus(valid, _output);
        if (!valid)
        {
            _end = SessionEnd.AuthenticationFailed;
            _endReason = "authentication failed";
            Log.AuthenticationFailed(_context.Logger, Id);
            await SendAsync().ConfigureAwait(false);
            return false;
        }

        Volatile.Write(ref _username, credentials!.Username);
        await SendAsync().ConfigureAwait(false);
        return true;
    }

    private void EndByViolation(OperationStatus status, SocksParseError error, string message)
    {
        // NeedMoreData here means the client closed mid-message; InvalidData that the peer does not
        // speak the protocol (bad VER), so there is no reply it would understand: close silently.
        if (status == OperationStatus.InvalidData)
        {
            _endReason = $"bad {message} ({error})";
            Log.ProtocolViolation(_context.Logger, Id, $"{message}: {error}");
        }
        else
        {
            _endReason = $"client closed during the {message}";
        }
    }

    /// <summary>Receives until <paramref name="reader"/> gets a whole message, finds it invalid, or the client closes.</summary>
    /// <returns>Done, InvalidData, or NeedMoreData when the client closed first.</returns>
    private async ValueTask<(OperationStatus Status, T Message, SocksParseError Error)> ReadAsync<T>(HandshakeBuffer buffer, Reader<T> reader)
    {
        while (true)
        {
            var data = buffer.Data;
            var status = reader(ref data, out var message, out var error);
            if (status == OperationStatus.Done)
            {
                buffer.Consume(data);
            }

            if (status != OperationStatus.NeedMoreData)
            {
                return (status, message, error);
            }

            var received = await _client.ReceiveAsync(buffer.GetFreeSpace(), System.Net.Sockets.SocketFlags.None).ConfigureAwait(false);
            if (received == 0)
            {
                return (OperationStatus.NeedMoreData, message, error);
            }

            _traffic.AddClientReceived(received);
            buffer.Advance(received);
        }
    }

    /// <summary>Sends a reply (RFC 1928 §6) and records it.</summary>
    private async Task ReplyAsync(ReplyCode reply, System.Net.IPEndPoint? bound = null)
    {
        Socks5Writer.WriteReply(reply, bound, _output);
        if (reply != ReplyCode.Succeeded)
        {
            Log.RequestRefused(_context.Logger, Id, reply);
        }

        await SendAsync().ConfigureAwait(false);
        _reply = reply;
    }

    /// <summary>Sends what the writers put in <see cref="_output"/> to the client.</summary>
    private async Task SendAsync()
    {
        var data = _output.WrittenMemory;
        while (!data.IsEmpty)
        {
            var sent = await _client.SendAsync(data, System.Net.Sockets.SocketFlags.None).ConfigureAwait(false);
            _traffic.AddClientSent(sent);
            data = data[sent..];
        }

        _output.ResetWrittenCount();
    }
}
