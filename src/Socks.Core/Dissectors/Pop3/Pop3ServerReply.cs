namespace Socks.Core.Dissectors.Pop3;

/// <summary>A server status line waiting for (or matched with) the client line it answers.</summary>
/// <param name="Kind">The status.</param>
/// <param name="LineNumber">The server line it was (1 is the greeting), or -1 for <see cref="Pop3ReplyKind.Unknown"/>.</param>
internal readonly record struct Pop3ServerReply(Pop3ReplyKind Kind, long LineNumber);
