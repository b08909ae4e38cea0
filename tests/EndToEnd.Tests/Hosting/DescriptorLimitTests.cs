namespace EndToEnd.Tests.Hosting;

/// <summary>socks5d under a low descriptor limit (ulimit -n), with more clients than it has descriptors.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class DescriptorLimitTests
{
    // The runtime alone holds 100+ descriptors (it keeps loaded assemblies open), so 64 would not even
    // start a .NET host; 256 leaves room for a few dozen sessions.
    private const int DescriptorLimit = 256;
    private const int ExtraClients = 300;

    [TestCase(100)]
    [TestCase(112)]
    [TestCase(120)]
    [TestCase(255)]
    public async Task DescriptorLimitBelowMinimum_ExitsWithOneLineAnd71(int limit)
    {
        // Issue 18, item 5a: at 112 and below the runtime died with an unhandled EMFILE (exit 134), at 120 with a
        // misleading assembly-load error (exit 70). The check comes before anything loads.
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0"], limit);

        var exitCode = await socks5d.WaitForExitAsync();

        exitCode.Should().Be(71, "EX_OSERR, docs/socks5d.8 EXIT STATUS");
        socks5d.StandardError.Should().Equal(
            $"socks5d: the descriptor limit (ulimit -n) is {limit}, socks5d needs at least 256: raise it (ulimit -n, or LimitNOFILE= under systemd)");
        socks5d.StandardOutput.Should().BeEmpty();
    }

    [Test]
    public async Task LowDescriptorLimit_MoreClientsThanDescriptors_StaysAliveClosesExtrasAndRecovers()
    {
        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0"], DescriptorLimit);
        var (proxy, max) = await socks5d.WaitForListeningAsync();
        max.Should().BeInRange(1, DescriptorLimit / 2, "the limit is derived from the descriptors left");

        var tunnels = new List<SocksTestClient>();
        for (var i = 0; i < max; i++)
        {
            tunnels.Add(await SocksTestClient.OpenAsync(proxy, echo.EndPoint));
        }

        (await SocksTestClient.TryOpenAsync(proxy, echo.EndPoint)).Should().BeNull("the server is full");
        await socks5d.WaitForLineAsync(line => line.Contains($"Connection limit of {max} reached", StringComparison.Ordinal));
        var descriptorsWhenFull = socks5d.OpenDescriptors();

        var extras = await Task.WhenAll(Enumerable.Range(0, ExtraClients).Select(async _ =>
        {
            using var extra = await SocksTestClient.ConnectAsync(proxy);
            return await extra.IsClosedByPeerAsync();
        }));

        extras.Should().AllSatisfy(closed => closed.Should().BeTrue());
        socks5d.HasExited.Should().BeFalse();
        foreach (var tunnel in tunnels)
        {
            await tunnel.SendAsync("alive"u8.ToArray());
            (await tunnel.ReceiveAsync(5)).Should().Equal("alive"u8.ToArray());
            tunnel.Dispose();
        }

        // Serves again once sessions end: a client that still finds the server full (the old sessions
        // are being closed) is closed at once and simply retries.
        var reopened = new List<SocksTestClient>();
        while (reopened.Count < max)
        {
            if (await SocksTestClient.TryOpenAsync(proxy, echo.EndPoint) is { } tunnel)
            {
                reopened.Add(tunnel);
            }
        }

        socks5d.OpenDescriptors().Should().Be(descriptorsWhenFull, "the load left no descriptor behind");
        foreach (var tunnel in reopened)
        {
            tunnel.Dispose();
        }

        socks5d.Signal(Socks5dProcess.SIGTERM);
        (await socks5d.WaitForExitAsync()).Should().Be(0);
        socks5d.StandardError.Should().NotContain(line => line.Contains("fail:", StringComparison.Ordinal) || line.Contains("Out of memory", StringComparison.Ordinal));
    }

    [Test]
    public async Task MaxConnectionsAboveTheDescriptorBudget_IsLoweredWithAWarning()
    {
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--max-connections", "5000"], DescriptorLimit);

        var (_, max) = await socks5d.WaitForListeningAsync();

        max.Should().BeLessThan(DescriptorLimit / 2);
        await socks5d.WaitForLineAsync(line => line.Contains("A connection limit of 5000 needs more descriptors", StringComparison.Ordinal));
    }
}
