using System.Net;

namespace Tests.Common;

/// <summary>
/// A loopback echo server, <c>new EchoServer()</c>: a <see cref="TestTarget.Echo"/> under the name the end-to-end
/// tests use, so there is one echo implementation.
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly TestTarget _target = TestTarget.Echo(IPAddress.Loopback);

    public IPEndPoint EndPoint => _target.EndPoint;

    public ValueTask DisposeAsync() => _target.DisposeAsync();
}
