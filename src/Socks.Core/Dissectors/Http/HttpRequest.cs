namespace Socks.Core.Dissectors.Http;

/// <summary>A request whose headers went by, waiting for the response that answers it.</summary>
internal readonly record struct HttpRequest
{
    /// <summary>HEAD: the response has no body (RFC 9110 §9.3.2).</summary>
    public bool IsHead { get; init; }

    /// <summary>CONNECT: a 2xx response turns the session into a tunnel (RFC 9110 §9.3.6).</summary>
    public bool IsConnect { get; init; }

    /// <summary>The user of <c>Authorization: Basic</c>, or null.</summary>
    public byte[]? User { get; init; }

    /// <summary>The password of <c>Authorization: Basic</c>.</summary>
    public byte[]? Secret { get; init; }

    /// <summary>The user of <c>Proxy-Authorization: Basic</c>, or null.</summary>
    public byte[]? ProxyUser { get; init; }

    /// <summary>The password of <c>Proxy-Authorization: Basic</c>.</summary>
    public byte[]? ProxySecret { get; init; }

    /// <summary>When the headers went by.</summary>
    public DateTimeOffset Time { get; init; }
}
