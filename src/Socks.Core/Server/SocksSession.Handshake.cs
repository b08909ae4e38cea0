using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Socks.Core.Commands;
using Socks.Core.Protocol;

namespace Socks.Core.Server;

/// <summary>
/// The handshake: greeting (RFC 1928 §3), username/password (RFC 1929 §2) and request (RFC 1928 §4),
/// parsed incrementally from whatever has arrived, under one timer for the whole handshake, with the
/// access policy asked after accept, after authentication and about the request.
/// </summary>
internal sealed partial class SocksSession
{
    private readonly ArrayBufferWriter<byte> _output = new(32);

    /// <summary>A parse step of one handshake message over the received bytes.</summary>
    private delegate OperationStatus Reader<T>(ref ReadOnlySequence<byte> buffer, out T message, out SocksParseError error);

    /// <summary>Sends a reply (RFC 1928 §6) and records it; REP X'00' counts the session as succeeded.</summary>
    /// <param name="reply">The REP code.</param>
    /// <param name="bound">BND.ADDR and BND.PORT, or null for all zeros.</param>
    /// <returns>A task that completes when the reply is sent.</returns>
    public Task ReplyAsync(ReplyCode reply, IPEndPoint? bound = null)
    {
        Socks5Writer.WriteReply(reply, bound, _output);
        return SendReplyAsync(reply, final: true);
    }

    /// <summary>Sends a reply whose BND.ADDR is a domain name (Tor's RESOLVE_PTR answer), BND.PORT 0; counted as a reply with an address is.</summary>
    /// <param name="reply">The REP code.</param>
    /// <param name="domainName">BND.ADDR, 1 to 255 octets.</param>
    /// <returns>A task that completes when the reply is sent.</returns>
    public Task ReplyAsync(ReplyCode reply, ReadOnlySpan<byte> domainName)
    {
        Socks5Writer.WriteReply(reply, domainName, 0, _output);
        return SendReplyAsync(reply, final: true);
    }

    /// <summary>
    /// Sends the first of BIND's two replies (RFC 1928 §6): REP X'00' with the listening address. It is recorded
    /// as the reply sent, but the session counts as succeeded only with the second.
    /// </summary>
    /// <param name="bound">The listening socket's address and port.</param>
    /// <returns>A task that completes when the reply is sent.</returns>
    public Task ReplyFirstOfTwoAsync(IPEndPoint bound)
    {
        Socks5Writer.WriteReply(ReplyCode.Succeeded, bound, _output);
        return SendReplyAsync(ReplyCode.Succeeded, final: false);
    }

    private async Task SendReplyAsync(ReplyCode reply, bool final)
    {
        if (reply != ReplyCode.Succeeded)
        {
            Log.RequestRefused(_context.Logger, Id, reply);
        }

        await SendAsync().ConfigureAwait(false);
        _reply = reply;
        _firstReplyOnly = !final;
        if (final && reply == ReplyCode.Succeeded)
        {
            _context.Metrics.SessionSucceeded();
        }
    }

    /// <summary>Runs the handshake.</summary>
    /// <returns>The handler of the request's command, or null when the session ends here (answer sent, if any).</returns>
    private async Task<ICommandHandler?> HandshakeAsync(HandshakeBuffer buffer)
    {
        var options = _context.Options;
        using var timer = options.TimeProvider.CreateTimer(
            static state => ((SocksSession)state!).Abort(SessionAbortReason.HandshakeTimeout),
            this,
            options.HandshakeTimeout,
            Timeout.InfiniteTimeSpan);

        if (!await IsAllowedAsync(AccessPhase.Accepted).ConfigureAwait(false))
        {
            return null;
        }

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
                EndByViolation(greetingStatus, greetingError, HandshakeStep.Greeting);
            }

            return null;
        }

        var method = ChooseMethod(greeting);
        if (method == AuthMethod.NoAcceptableMethods)
        {
            await RejectMethodsAsync().ConfigureAwait(false);
            return null;
        }

        Context.Method = method;
        Socks5Writer.WriteMethodSelection(method, _output);
        await SendAsync().ConfigureAwait(false);

        // RFC 1929 §2: username/password, answered 01 00 or 01 01 (then close).
        if (method == AuthMethod.UsernamePassword && !await AuthenticateAsync(buffer).ConfigureAwait(false))
        {
            return null;
        }

        if (!await IsAllowedAsync(AccessPhase.Authenticated).ConfigureAwait(false))
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
                SetEnd(new SessionOutcome(SessionEndReason.ProtocolViolation) { Step = HandshakeStep.Request, ParseError = requestError });
                Log.ProtocolViolation(_context.Logger, Id, requestError.ToString());
            }
            else
            {
                EndByViolation(requestStatus, requestError, HandshakeStep.Request);
            }

            return null;
        }

        Context.Request = request;
        if (_userRefusal is { } refusal)
        {
            // REP X'02' "connection not allowed by ruleset" (RFC 1928 §6): the user's limits are that ruleset.
            Log.UserLimitReached(_context.Logger, Id, refusal == SessionEndReason.UserLimit ? "session limit" : "quota");
            await ReplyAsync(ReplyCode.ConnectionNotAllowed).ConfigureAwait(false);
            SetEnd(new SessionOutcome(refusal));
            return null;
        }

        if (_context.Commands.Find(request!.Command) is not { } handler)
        {
            // BIND or UDP ASSOCIATE when switched off, and any unassigned command (RFC 1928 §6).
            await ReplyAsync(ReplyCode.CommandNotSupported).ConfigureAwait(false);
            SetEnd(new SessionOutcome(SessionEndReason.CommandNotSupported));
            return null;
        }

        return await IsAllowedAsync(AccessPhase.Requested).ConfigureAwait(false) ? handler : null;
    }

    /// <summary>
    /// Asks the access policy about a phase before resolution. A denial after accept or authentication closes
    /// without a reply (RFC 1928 has none before the request); a denied request gets the decision's REP code.
    /// </summary>
    /// <returns>True when the session may go on.</returns>
    private async ValueTask<bool> IsAllowedAsync(AccessPhase phase)
    {
        if (_context.AccessPolicy is not { } policy)
        {
            return true;
        }

        var decision = await policy.EvaluateAsync(new AccessRequest(phase, Context), Closed).ConfigureAwait(false);
        if (decision.IsAllowed)
        {
            return true;
        }

        Context.NoteDenial(decision);
        Log.AccessDenied(_context.Logger, Id, phase, decision.Reply);
        SetEnd(new SessionOutcome(SessionEndReason.Denied) { DeniedAt = phase });
        if (phase == AccessPhase.Requested)
        {
            await ReplyAsync(decision.Reply).ConfigureAwait(false);
        }

        return false;
    }

    private AuthMethod ChooseMethod(SocksGreeting greeting)
    {
        var options = _context.Options;
        if (options.AnonymousAccess is { } anonymous)
        {
            // A client that offers X'02' has credentials: with users to check them against, it authenticates, so
            // rules about users see who it is. X'00' only where some rule could let an anonymous session through.
            if (options.Users is { HasUsers: true } && greeting.Offers(AuthMethod.UsernamePassword))
            {
                return AuthMethod.UsernamePassword;
            }

            return greeting.Offers(AuthMethod.NoAuthentication) && anonymous.MayAllowAnonymous(Context.Client)
                ? AuthMethod.NoAuthentication
                : AuthMethod.NoAcceptableMethods;
        }

        if (options.Users is { HasUsers: true })
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
        SetEnd(new SessionOutcome(SessionEndReason.NoAcceptableMethod));
        Log.NoAcceptableMethod(_context.Logger, Id);
        await SendAsync().ConfigureAwait(false);
    }

    private async Task<bool> AuthenticateAsync(HandshakeBuffer buffer)
    {
        var (status, credentials, error) = await ReadAsync<UsernamePasswordRequest?>(buffer, Socks5Reader.TryReadUsernamePassword).ConfigureAwait(false);
        if (status != OperationStatus.Done && !(status == OperationStatus.InvalidData && error == SocksParseError.BadLength))
        {
            EndByViolation(status, error, HandshakeStep.Authentication);
            return false;
        }

        // A zero-length name or password can never match: it fails like a wrong password.
        var valid = false;
        if (credentials is not null)
        {
            if (await ValidateWhileClientWaitsAsync(credentials).ConfigureAwait(false) is not { } answer)
            {
                SetEnd(new SessionOutcome(SessionEndReason.ClientClosedInHandshake) { Step = HandshakeStep.Authentication });
                return false;
            }

            valid = answer;
        }

        Socks5Writer.WriteAuthStatus(valid, _output);
        if (!valid)
        {
            // The name tried goes into the access-log record and one warning (for fail2ban and the like); the
            // password goes nowhere. The session's own user stays unset, so revocation never matches it.
            _rejectedUsername = credentials?.Username ?? Socks5Reader.UsernameOfBadLengthRequest(buffer.Data);
            SetEnd(new SessionOutcome(SessionEndReason.AuthenticationFailed));
            Log.AuthenticationFailed(_context.Logger, Id, HostileText.Escape(_rejectedUsername, EscapeOptions.Quote), ClientForLog);
            await SendAsync().ConfigureAwait(false);
            return false;
        }

        Context.SetUsername(credentials!.Username);
        var user = _context.Metrics.Users.Get(credentials.Username);
        user.LoggedIn(_context.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        var limits = Limits.UserLimits.None;
        _context.Limits?.TryGetLimits(credentials.Username, out limits);

        // The place is taken now, so concurrent handshakes cannot both pass; a refusal is answered after the request
        // (RFC 1928 has no reply before it).
        var time = _context.Options.TimeProvider;
        if (limits.Quota > 0 && user.QuotaUsed(Limits.QuotaMeter.PeriodKey(limits.Period, time.GetUtcNow())) >= limits.Quota)
        {
            _userRefusal = SessionEndReason.QuotaExceeded;
        }
        else if (!(_admitted = user.TryEnter(limits.MaxSessions)) || !await TryLeaseAsync(user, credentials.Username, limits.MaxSessions).ConfigureAwait(false))
        {
            _userRefusal = SessionEndReason.UserLimit;
        }
        else
        {
            if (limits.HasRate || user.HasThrottles)
            {
                // Only a user with a rate pays for it; the throttles are the user's, shared by its sessions.
                user.HoldThrottles(limits.RateUp, limits.RateDown, out _throttleUp, out _throttleDown);
            }

            if (limits.Quota > 0)
            {
                _quota = new Limits.QuotaMeter(user, limits.Quota, limits.Period, time, _server.OnQuotaUsedUp, () => Abort(SessionAbortReason.Quota));
            }
        }

        Volatile.Write(ref _user, user);
        await SendAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// With a fleet (<see cref="ServerContext.Leases"/>), takes one of a limited user's places fleet-wide after this
    /// server's own count admitted the session; a refusal gives the local place back.
    /// </summary>
    /// <returns>True when admitted (always without a fleet or a session limit).</returns>
    private async ValueTask<bool> TryLeaseAsync(Socks.Core.Metrics.UserActivity user, byte[] username, int maxSessions)
    {
        if (maxSessions <= 0 || _context.Leases is not { } leases)
        {
            return true;
        }

        _lease = await leases.TryAcquireAsync(username, maxSessions, Closed).ConfigureAwait(false);
        if (_lease is not null)
        {
            return true;
        }

        user.Leave();
        _admitted = false;
        return false;
    }

    /// <summary>
    /// Asks the user store, and while a check is slow (a PBKDF2 derivation, or a wait for one) watches the client:
    /// a client that closes or resets meanwhile cancels the check, so an attempt nobody waits for any more is
    /// dropped before its derivation starts (docs/users-file.md).
    /// </summary>
    /// <returns>The answer, or null when the client went away first.</returns>
    private async ValueTask<bool?> ValidateWhileClientWaitsAsync(UsernamePasswordRequest credentials)
    {
        using var clientGone = CancellationTokenSource.CreateLinkedTokenSource(Closed);
        // Only reached after METHOD X'02', which ChooseMethod picks only for a store that holds users.
        var check = _context.Options.Users!.ValidateAsync(Context, credentials.Username, credentials.Password, clientGone.Token);
        if (check.IsCompleted)
        {
            // The usual case (a cached verifier, one HMAC): no watch needed.
            return await check.ConfigureAwait(false);
        }

        using var stopWatching = new CancellationTokenSource();
        var watch = WatchForCloseAsync(clientGone, stopWatching.Token);
        try
        {
            return await check.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested && !Closed.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Peeks one byte without taking it: end-of-file or an error means the client is gone. Bytes that arrive
    /// (a request sent right behind the credentials) stay in the socket for the request step, and end the
    /// watch: a close behind them is noticed only when the session reads again.
    /// </summary>
    /// <param name="clientGone">Cancelled when the client is gone.</param>
    /// <param name="stop">Ends the watch.</param>
    /// <returns>A task that completes when the watch is over; it never faults.</returns>
    internal async Task WatchForCloseAsync(CancellationTokenSource clientGone, CancellationToken stop)
    {
        var probe = new byte[1];
        try
        {
            if (await _client.ReceiveAsync(probe, SocketFlags.Peek, stop).ConfigureAwait(false) == 0)
            {
                await clientGone.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The check answered first.
        }
        catch (SocketException)
        {
            await clientGone.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The session was aborted: Closed is cancelled already.
        }
    }

    private void EndByViolation(OperationStatus status, SocksParseError error, HandshakeStep step)
    {
        // NeedMoreData here means the client closed mid-message; InvalidData that the peer does not
        // speak the protocol (bad VER), so there is no reply it would understand: close silently.
        if (status == OperationStatus.InvalidData)
        {
            SetEnd(new SessionOutcome(SessionEndReason.ProtocolViolation) { Step = step, ParseError = error });
            Log.ProtocolViolation(_context.Logger, Id, $"{SessionOutcome.NameOf(step)}: {error}");
        }
        else
        {
            SetEnd(new SessionOutcome(SessionEndReason.ClientClosedInHandshake) { Step = step });
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

            var received = await _client.ReceiveAsync(buffer.GetFreeSpace(), SocketFlags.None).ConfigureAwait(false);
            if (received == 0)
            {
                return (OperationStatus.NeedMoreData, message, error);
            }

            _traffic.AddClientReceived(received);
            buffer.Advance(received);
        }
    }

    /// <summary>Sends what the writers put in <see cref="_output"/> to the client.</summary>
    private async Task SendAsync()
    {
        var data = _output.WrittenMemory;
        if (!data.IsEmpty)
        {
            // A reply is a few bytes into a send buffer that holds nothing else yet: a non-blocking send takes it at
            // once, without the runtime's asynchronous send operation (296 bytes that a socket keeps for its whole
            // life once it has used one). Only a full send buffer falls through to the asynchronous send.
            var sent = _client.Send(data.Span, SocketFlags.None, out var error);
            if (error == SocketError.Success)
            {
                _traffic.AddClientSent(sent);
                data = data[sent..];
            }
            else if (error != SocketError.WouldBlock)
            {
                throw new SocketException((int)error);
            }
        }

        while (!data.IsEmpty)
        {
            var sent = await _client.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            _traffic.AddClientSent(sent);
            data = data[sent..];
        }

        _output.ResetWrittenCount();
    }
}
