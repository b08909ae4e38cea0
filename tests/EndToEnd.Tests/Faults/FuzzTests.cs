using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EndToEnd.Tests.Faults;

/// <summary>
/// Issue 17, item 3: a seeded random fuzzer over the SOCKS handshake and over MCP frames, against a real socks5d.
/// Each input is a valid exchange mutated at random (bytes overwritten, inserted, deleted, cut short, or all random),
/// sent on its own connection and half-closed; the answer is checked against an independent reading of the input:
/// nothing is answered OK that is not valid, the process stays up, and its descriptors and memory stay bounded. The
/// seed is printed in every failure message (set FUZZ_SEED to replay one).
/// </summary>
[CancelAfter(TestTimeouts.LongTestMilliseconds)]
public sealed class FuzzTests
{
    private const int Inputs = 2000;
    private const int McpConnections = 500;
    private const int Parallel = 32;
    private const int DescriptorGrowthBound = 16;
    private const long MemoryGrowthBound = 64L * 1024 * 1024;

    private static readonly int Seed = Environment.GetEnvironmentVariable("FUZZ_SEED") is { } seed ? int.Parse(seed) : Environment.TickCount;

    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("socks5d-fuzz-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task SocksHandshake_MutatedInputs_NoOkToGarbage_ProcessAndResourcesHold()
    {
        await using var echo = new EchoServer();

        // A mutated name is looked up at a name server that refuses at once, and a mutated address fails fast.
        var resolvConf = Path.Combine(_dir, "resolv.conf");
        await File.WriteAllTextAsync(resolvConf, "nameserver 127.0.0.2\noptions timeout:1 attempts:1\n");
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--connect-timeout", "2", "--access-log", Path.Combine(_dir, "access.log")], resolvConf: resolvConf);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        var template = SocksTemplate(echo.EndPoint);
        (await ExchangeAsync(proxy, template))[..4].Should().Equal(0x05, 0x02, 0x01, 0x00);
        var descriptors = socks5d.OpenDescriptors();
        var memory = socks5d.ResidentBytes();

        var random = new Random(Seed);
        var inputs = Enumerable.Range(0, Inputs).Select(_ => Mutate(random, template)).ToList();
        // Each input from its own loopback address: wrong passwords would otherwise soon block 127.0.0.1 (five
        // failures a minute per address), and the request step would hardly be reached.
        var next = 0;
        await RunAllAsync(inputs, async input =>
        {
            var n = Interlocked.Increment(ref next);
            var answer = await ExchangeAsync(proxy, input, new IPAddress([127, 1, (byte)(n >> 8), (byte)n]));
            CheckSocksAnswer(input, answer);
        });

        await AssertHealthyAsync(socks5d, descriptors, memory);
        (await ExchangeAsync(proxy, template, IPAddress.Parse("127.0.0.3")))[..6].Should().Equal([0x05, 0x02, 0x01, 0x00, 0x05, 0x00], $"seed {Seed}: still serving");
    }

    [Test]
    public async Task McpFrames_MutatedInputs_NoOkToGarbage_ProcessAndResourcesHold()
    {
        // --max-users 1, taken by -u: every ADD_USER is refused before a password is derived (600,000 PBKDF2
        // rounds each would make the run minutes long), and the framing and answers are what is fuzzed.
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--max-users", "1"]);
        await socks5d.WaitForListeningAsync();
        var management = await socks5d.WaitForManagementAsync();
        byte[][] templates =
        [
            [0x01, 0x00, 0x00, 0x00],
            [0x01, 0x01, 0x00, 0x00],
            [0x01, 0x02, 0x00, 0x08, 0x02, (byte)'f', (byte)'z', 0x04, (byte)'p', (byte)'w', (byte)'p', (byte)'w'],
            [0x01, 0x03, 0x00, 0x03, 0x02, (byte)'f', (byte)'z'],
            [0x01, 0x04, 0x00, 0x00],
        ];
        var descriptors = socks5d.OpenDescriptors();
        var memory = socks5d.ResidentBytes();

        var random = new Random(Seed);
        // Fewer connections, more frames each: every admin connection is looked up in the kernel's socket table,
        // which grows with the fuzzer's closed connections.
        var inputs = Enumerable.Range(0, McpConnections).Select(_ =>
        {
            // One to eight frames, pipelined, mutated anywhere.
            var frames = Enumerable.Range(0, random.Next(1, 9)).Select(_ => templates[random.Next(templates.Length)]);
            return Mutate(random, [.. frames.SelectMany(f => f)]);
        }).ToList();
        await RunAllAsync(inputs, async input =>
        {
            var answer = await ExchangeAsync(management, input);
            CheckMcpAnswer(input, answer);
        });

        await AssertHealthyAsync(socks5d, descriptors, memory);
        await using var admin = await Mcp.Protocol.McpClient.ConnectAsync(management).WaitAsync(TestTimeouts.Generous);
        (await admin.GetMetricsAsync().WaitAsync(TestTimeouts.Generous)).HistoricalConnections.Should().Be(0, $"seed {Seed}: no SOCKS client came");
    }

    private static byte[] SocksTemplate(IPEndPoint target) =>
        [0x05, 0x01, 0x02, .. SocksTestClient.UsernamePassword("user", "pass"), .. SocksTestClient.ConnectRequest(target)];

    /// <summary>One valid input mutated: bytes overwritten, inserted, deleted, cut short, or all random.</summary>
    private static byte[] Mutate(Random random, byte[] template)
    {
        var bytes = template.ToList();
        switch (random.Next(6))
        {
            case 0:
                var all = new byte[random.Next(1, 40)];
                random.NextBytes(all);
                return all;
            case 1:
                return [.. bytes.Take(random.Next(bytes.Count))];
            default:
                for (var i = random.Next(1, 4); i > 0 && bytes.Count > 0; i--)
                {
                    var at = random.Next(bytes.Count);
                    switch (random.Next(3))
                    {
                        case 0:
                            bytes[at] = random.Next(4) == 0 ? (byte)random.Next(2) : (byte)random.Next(256);
                            break;
                        case 1:
                            bytes.Insert(at, (byte)random.Next(256));
                            break;
                        default:
                            bytes.RemoveAt(at);
                            break;
                    }
                }

                return [.. bytes];
        }
    }

    private static async Task RunAllAsync(List<byte[]> inputs, Func<byte[], Task> run)
    {
        using var slots = new SemaphoreSlim(Parallel);
        await Task.WhenAll(inputs.Select(async input =>
        {
            await slots.WaitAsync();
            try
            {
                await run(input);
            }
            finally
            {
                slots.Release();
            }
        }));
    }

    /// <summary>Sends the input, half-closes, and reads everything the server sends until it closes.</summary>
    private static async Task<byte[]> ExchangeAsync(IPEndPoint server, byte[] input, IPAddress? from = null)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        await socket.ConnectAsync(server).WaitAsync(TestTimeouts.Generous);
        var received = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            await socket.SendAsync(input);
            socket.Shutdown(SocketShutdown.Send);
            int n;
            while ((n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, n));
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            // Closed with unread input: a reset is one of the server's answers to garbage.
        }

        return [.. received];
    }

    /// <summary>
    /// Reads the input as RFC 1928/1929 say and checks the server said yes only where the input allows it: method
    /// X'02' only when offered, authentication success only for user:pass, REP X'00' only to a well-formed request.
    /// </summary>
    private static void CheckSocksAnswer(byte[] input, byte[] answer)
    {
        var what = $"seed {Seed}: input {Convert.ToHexString(input)}, answer {Convert.ToHexString(answer)}";
        if (answer.Length < 2)
        {
            return;
        }

        var methods = input.Length >= 2 && input[0] == 0x05 && input.Length >= 2 + input[1] ? input.AsSpan(2, input[1]).ToArray() : null;
        answer[0].Should().Be(0x05, what);
        if (answer[1] != 0x02)
        {
            answer[1].Should().Be(0xFF, what + ": only user/password or no acceptable method");
            return;
        }

        methods.Should().NotBeNull(what).And.Contain(0x02, what);
        var auth = 2 + input[1];
        if (answer.Length < 4)
        {
            return;
        }

        answer[2].Should().Be(0x01, what);
        var credentialsOk = TryReadCredentials(input, auth, out var end) is ("user", "pass");
        if (answer[3] == 0x00)
        {
            credentialsOk.Should().BeTrue(what + ": authentication succeeded only with user:pass");
        }

        if (answer[3] != 0x00 || answer.Length < 6)
        {
            return;
        }

        answer[4].Should().Be(0x05, what);
        if (answer[5] == 0x00)
        {
            IsWellFormedRequest(input.AsSpan(end)).Should().BeTrue(what + ": REP 00 only to a well-formed request");
        }
    }

    private static (string User, string Password)? TryReadCredentials(byte[] input, int at, out int end)
    {
        end = at;
        if (input.Length < at + 2 || input[at] != 0x01)
        {
            return null;
        }

        var ulen = input[at + 1];
        if (input.Length < at + 2 + ulen + 1)
        {
            return null;
        }

        var plen = input[at + 2 + ulen];
        if (input.Length < at + 3 + ulen + plen)
        {
            return null;
        }

        end = at + 3 + ulen + plen;
        return (Encoding.Latin1.GetString(input, at + 2, ulen), Encoding.Latin1.GetString(input, at + 3 + ulen, plen));
    }

    private static bool IsWellFormedRequest(ReadOnlySpan<byte> request)
    {
        // VER 5, a command socks5d may serve (CONNECT, and BIND and UDP ASSOCIATE once they exist), a complete address.
        if (request.Length < 4 || request[0] != 0x05 || request[1] is < 0x01 or > 0x03)
        {
            return false;
        }

        var addressLength = request[3] switch
        {
            0x01 => 4,
            0x04 => 16,
            0x03 when request.Length > 4 && request[4] > 0 => 1 + request[4],
            _ => -1,
        };
        return addressLength > 0 && request.Length >= 4 + addressLength + 2;
    }

    /// <summary>
    /// Reads the input as frames (docs/mcp-protocol.md §3, §4) and checks the answers: one per complete frame, in
    /// order, at most one more ERROR for a bad VER (then nothing), and OK only to a well-formed request.
    /// </summary>
    private static void CheckMcpAnswer(byte[] input, byte[] answer)
    {
        var what = $"seed {Seed}: input {Convert.ToHexString(input)}, answer {Convert.ToHexString(answer)}";
        var requests = new List<bool>();
        var at = 0;
        var badVersion = false;
        while (input.Length - at >= 1)
        {
            // A bad VER is seen in the frame's first byte, and answered without the rest.
            if (input[at] != 0x01)
            {
                badVersion = true;
                break;
            }

            if (input.Length - at < 4)
            {
                break;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(at + 2));
            if (input.Length - at - 4 < length)
            {
                break;
            }

            requests.Add(IsWellFormedFrame(input[at + 1], input.AsSpan(at + 4, length)));
            at += 4 + length;
        }

        var truncated = !badVersion && input.Length - at >= 4;
        var responses = 0;
        var read = 0;
        while (answer.Length - read >= 4)
        {
            answer[read].Should().Be(0x01, what);
            var status = answer[read + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(read + 2));
            if (responses < requests.Count)
            {
                if (status == 0x00)
                {
                    requests[responses].Should().BeTrue(what + $": OK to request {responses}, which is malformed");
                }
            }
            else
            {
                // Beyond the complete frames: the ERROR for a bad VER, or the early answer to a frame whose header
                // already shows it malformed (its payload never came).
                (badVersion || truncated).Should().BeTrue(what + ": more answers than frames");
                status.Should().NotBe(0x00, what + ": never OK to a frame that is not there");
                length.Should().Be(0, what);
            }

            responses++;
            read += 4 + length;
        }

        read.Should().Be(answer.Length, what + ": answers are whole frames");
        responses.Should().BeLessThanOrEqualTo(requests.Count + (badVersion || truncated ? 1 : 0), what);
    }

    private static bool IsWellFormedFrame(byte command, ReadOnlySpan<byte> payload) => command switch
    {
        0x00 or 0x01 or 0x04 => payload.IsEmpty,
        0x02 => payload.Length >= 4 && payload[0] > 0 && payload.Length > 1 + payload[0]
            && payload[1 + payload[0]] > 0 && payload.Length == 2 + payload[0] + payload[1 + payload[0]],
        0x03 => payload.Length >= 2 && payload[0] > 0 && payload.Length == 1 + payload[0],
        0x83 => payload.IsEmpty,
        0x84 => payload.Length == 1 && payload[0] <= 0x01,
        _ => false,
    };

    private static async Task AssertHealthyAsync(Socks5dProcess socks5d, int descriptors, long memory)
    {
        socks5d.HasExited.Should().BeFalse($"seed {Seed}: the process survived");

        // Sessions close a moment after their clients; the bound holds once they have.
        var deadline = DateTime.UtcNow + TestTimeouts.Generous;
        while (socks5d.OpenDescriptors() > descriptors + DescriptorGrowthBound && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        socks5d.OpenDescriptors().Should().BeLessThanOrEqualTo(descriptors + DescriptorGrowthBound, $"seed {Seed}: no descriptor left behind");
        socks5d.ResidentBytes().Should().BeLessThan(memory + MemoryGrowthBound, $"seed {Seed}: memory stays bounded");
        socks5d.StandardError.Should().NotContain(line => line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal), $"seed {Seed}");
    }
}
