using System.Buffers;
using System.Net;
using Socks.Core.Protocol;
using Socks.Core.Tests.Support;

namespace Socks.Core.Tests.Protocol;

/// <summary>
/// A client may send its whole handshake and the first application bytes in one write; the server then parses
/// message after message from one buffer and must leave the payload for the relay.
/// </summary>
public class PipelinedHandshakeTests
{
    private static readonly byte[] ClientBytes = Hex.Bytes(
        "05 02 00 02" // greeting: no auth, username/password
        + "01 05 61 6C 69 63 65 06 73 65 63 72 65 74" // alice / secret
        + "05 01 00 03 0B 65 78 61 6D 70 6C 65 2E 63 6F 6D 00 50" // CONNECT example.com:80
        + "47 45 54 20 2F 0D 0A"); // "GET /\r\n"

    private static readonly byte[] ServerBytes = Hex.Bytes(
        "05 02" // method selection: username/password
        + "01 00" // auth succeeded
        + "05 00 00 01 C0 00 02 0A C3 50" // reply: succeeded, bound 192.0.2.10:50000
        + "48 54 54 50"); // "HTTP"

    private static IEnumerable<TestCaseData> ClientShapes() =>
        TestSequence.AllShapes(ClientBytes).Select(s => new TestCaseData(s.Sequence).SetArgDisplayNames(s.Description));

    private static IEnumerable<TestCaseData> ServerShapes() =>
        TestSequence.AllShapes(ServerBytes).Select(s => new TestCaseData(s.Sequence).SetArgDisplayNames(s.Description));

    [TestCaseSource(nameof(ClientShapes))]
    public void ServerSide_HandshakeAndPayloadInOneBuffer_ParsesEachMessageAndLeavesPayload(ReadOnlySequence<byte> input)
    {
        var buffer = input;

        Socks5Reader.TryReadGreeting(ref buffer, out var greeting, out _).Should().Be(OperationStatus.Done);
        Socks5Reader.TryReadUsernamePassword(ref buffer, out var credentials, out _).Should().Be(OperationStatus.Done);
        Socks5Reader.TryReadRequest(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        greeting.Offers(AuthMethod.UsernamePassword).Should().BeTrue();
        credentials!.Username.Should().Equal("alice"u8.ToArray());
        request!.DomainName.Should().Equal("example.com"u8.ToArray());
        request.Port.Should().Be(80);
        buffer.ToArray().Should().Equal("GET /\r\n"u8.ToArray());
    }

    [TestCaseSource(nameof(ServerShapes))]
    public void ClientSide_AnswersAndPayloadInOneBuffer_ParsesEachMessageAndLeavesPayload(ReadOnlySequence<byte> input)
    {
        var buffer = input;

        Socks5Reader.TryReadMethodSelection(ref buffer, out var method, out _).Should().Be(OperationStatus.Done);
        Socks5Reader.TryReadAuthStatus(ref buffer, out var success, out _).Should().Be(OperationStatus.Done);
        Socks5Reader.TryReadReply(ref buffer, out var reply, out _).Should().Be(OperationStatus.Done);

        method.Should().Be(AuthMethod.UsernamePassword);
        success.Should().BeTrue();
        reply!.Reply.Should().Be(ReplyCode.Succeeded);
        reply.BoundEndPoint.Should().Be(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 50000));
        buffer.ToArray().Should().Equal("HTTP"u8.ToArray());
    }

    [Test]
    public void ServerSide_BytesArrivingOneAtATime_EachMessageCompletesOnItsLastByte()
    {
        // Simulates the pipe loop: the buffer grows by one byte per read and the server retries the reader for
        // its current state until Done.
        var completedAt = new List<int>();
        var consumed = 0;
        var state = 0;
        for (var received = 1; received <= ClientBytes.Length && state < 3; received++)
        {
            var buffer = TestSequence.OneBytePerSegment(ClientBytes[consumed..received]);
            var status = state switch
            {
                0 => Socks5Reader.TryReadGreeting(ref buffer, out _, out _),
                1 => Socks5Reader.TryReadUsernamePassword(ref buffer, out _, out _),
                _ => Socks5Reader.TryReadRequest(ref buffer, out _, out _),
            };

            status.Should().NotBe(OperationStatus.InvalidData);
            if (status == OperationStatus.Done)
            {
                buffer.Length.Should().Be(0);
                completedAt.Add(received);
                consumed = received;
                state++;
            }
        }

        completedAt.Should().Equal(4, 18, 36);
    }
}
