using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Socks.Core.Protocol;

namespace Socks.Core;

/// <summary>The outcome of <see cref="IConnector.ConnectAsync"/>: a connected socket, or the REP code to send instead.</summary>
public readonly struct ConnectResult
{
    private ConnectResult(Socket? socket, ReplyCode reply, IPEndPoint? remoteEndPoint, bool isDenied = false)
    {
        Socket = socket;
        Reply = reply;
        RemoteEndPoint = remoteEndPoint;
        IsDenied = isDenied;
    }

    /// <summary>The connected socket (NoDelay set) on success; the caller owns and disposes it. Null on failure.</summary>
    public Socket? Socket { get; }

    /// <summary><see cref="ReplyCode.Succeeded"/>, or the RFC 1928 §6 code that explains the failure.</summary>
    public ReplyCode Reply { get; }

    /// <summary>
    /// On success the address actually connected. On failure the address whose outcome decided
    /// <see cref="Reply"/> (the first denied address for a policy denial, the failed attempt that ranked highest
    /// for connect errors), or null when no address was tried (name not resolved, time ran out).
    /// </summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>
    /// True when no connection was tried because the access policy refused the destination (at
    /// <see cref="AccessPhase.Resolved"/>): the access log then says <c>denied</c>, not <c>dial-failed</c>.
    /// </summary>
    public bool IsDenied { get; }

    /// <summary>Whether a connection was made.</summary>
    [MemberNotNullWhen(true, nameof(Socket), nameof(RemoteEndPoint))]
    public bool Succeeded => Socket is not null && RemoteEndPoint is not null;

    /// <summary>A connection to <paramref name="remoteEndPoint"/>.</summary>
    /// <param name="socket">The connected socket; the session owns it from now on.</param>
    /// <param name="remoteEndPoint">The address and port actually connected.</param>
    /// <returns>The result.</returns>
    public static ConnectResult Connected(Socket socket, IPEndPoint remoteEndPoint) =>
        new(socket ?? throw new ArgumentNullException(nameof(socket)), ReplyCode.Succeeded, remoteEndPoint ?? throw new ArgumentNullException(nameof(remoteEndPoint)));

    /// <summary>A failure, answered with <paramref name="reply"/>.</summary>
    /// <param name="reply">The RFC 1928 §6 code; anything but <see cref="ReplyCode.Succeeded"/>.</param>
    /// <param name="remoteEndPoint">The address whose outcome decided the code, or null.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reply"/> is <see cref="ReplyCode.Succeeded"/>.</exception>
    public static ConnectResult Failed(ReplyCode reply, IPEndPoint? remoteEndPoint)
    {
        if (reply == ReplyCode.Succeeded)
        {
            throw new ArgumentOutOfRangeException(nameof(reply), reply, "A failed dial needs a failure code.");
        }

        return new ConnectResult(null, reply, remoteEndPoint);
    }

    /// <summary>A refusal by the access policy, answered with <paramref name="reply"/> (<see cref="IsDenied"/> is true).</summary>
    /// <param name="reply">The policy's RFC 1928 §6 code; anything but <see cref="ReplyCode.Succeeded"/>.</param>
    /// <param name="remoteEndPoint">The address that was refused, or null.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reply"/> is <see cref="ReplyCode.Succeeded"/>.</exception>
    public static ConnectResult Denied(ReplyCode reply, IPEndPoint? remoteEndPoint)
    {
        if (reply == ReplyCode.Succeeded)
        {
            throw new ArgumentOutOfRangeException(nameof(reply), reply, "A denial needs a failure code.");
        }

        return new ConnectResult(null, reply, remoteEndPoint, isDenied: true);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Reply} {RemoteEndPoint}";
}
