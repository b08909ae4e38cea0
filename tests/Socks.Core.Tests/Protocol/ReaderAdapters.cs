using System.Buffers;
using System.Text;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Protocol;

/// <summary>Runs one <see cref="Socks5Reader"/> method and renders what it read as text, so contract tests can treat all readers alike.</summary>
internal delegate OperationStatus ReadAsText(ref ReadOnlySequence<byte> buffer, out string? message, out SocksParseError error);

/// <summary>A named reader for test case sources (NUnit prints <see cref="ToString"/>).</summary>
internal sealed record NamedReader(string Name, ReadAsText Read)
{
    public override string ToString() => Name;
}

internal static class ReaderAdapters
{
    public static readonly NamedReader Greeting = new("greeting", (ref buffer, out message, out error) =>
    {
        var status = Socks5Reader.TryReadGreeting(ref buffer, out var greeting, out error);
        message = status == OperationStatus.Done ? Describe(greeting) : null;
        return status;
    });

    public static readonly NamedReader UsernamePassword = new("username/password", (ref buffer, out message, out error) =>
    {
        var status = Socks5Reader.TryReadUsernamePassword(ref buffer, out var request, out error);
        message = request is null ? null : $"user={Hex.Compact(request.Username)} pass={Hex.Compact(request.Password)}";
        return status;
    });

    public static readonly NamedReader Request = new("request", (ref buffer, out message, out error) =>
    {
        var status = Socks5Reader.TryReadRequest(ref buffer, out var request, out error);
        message = request is null
            ? null
            : $"cmd={request.Command} atyp={request.AddressType} addr={request.Address} name={Format(request.DomainName)} port={request.Port} host={Encoding.ASCII.GetString(request.HostBytes)}";
        return status;
    });

    public static readonly NamedReader MethodSelection = new("method selection", (ref buffer, out message, out error) =>
    {
        var status = Socks5Reader.TryReadMethodSelection(ref buffer, out var method, out error);
        message = status == OperationStatus.Done ? $"method={(byte)method:X2}" : null;
        return status;
    });

    public static readonly NamedReader AuthStatus = new("auth status", (ref buffer, out message, out error) =>
    {
        var status = Socks5Reader.TryReadAuthStatus(ref buffer, out var success, out error);
        message = status == OperationStatus.Done ? $"success={success}" : null;
        return status;
    });

    public static readonly NamedReader Reply = new("reply", (ref buffer, out message, out error) =>
    {
        var status = Socks5Reader.TryReadReply(ref buffer, out var reply, out error);
        message = reply is null
            ? null
            : $"rep={(byte)reply.Reply:X2} atyp={reply.AddressType} addr={reply.Address} name={Format(reply.DomainName)} port={reply.Port}";
        return status;
    });

    public static IEnumerable<NamedReader> All =>
        [Greeting, UsernamePassword, Request, MethodSelection, AuthStatus, Reply];

    public static string Describe(SocksGreeting greeting)
    {
        var offered = Enumerable.Range(0, 256).Where(m => greeting.Offers((AuthMethod)m)).Select(m => m.ToString("X2"));
        return $"count={greeting.MethodCount} methods={string.Join(',', offered)}";
    }

    private static string Format(byte[]? bytes) => bytes is null ? "-" : Hex.Compact(bytes);
}
