namespace Socks.Core.Tests.Server;

public sealed class DescriptorBudgetTests
{
    [Test]
    public void NoParts_KeepsTheTwoPerSessionArithmetic()
    {
        var budget = new DescriptorBudget(1024, 120);

        budget.RuntimeReserve.Should().Be(DescriptorBudget.ReserveDescriptors);
        budget.SessionDescriptors.Should().Be(1024 - 120 - 64);
        budget.MaxSessions.Should().Be(420);
        new DescriptorBudget(1_000_000, 120).RuntimeReserve.Should().Be(64, "the reserve does not grow with the limit");
    }

    [Test]
    public void Parts_AreTakenFromTheSessions_AndShownByName()
    {
        var budget = new DescriptorBudget(256, 110);
        budget.Reserve("log files", 4);
        var mcp = budget.ReserveUpTo("MCP", 64, 3);

        // Free: 256 - 110 - 64 = 82; MCP may take a quarter of it (20) with its overhead of 3.
        mcp.Should().Be(17);
        budget.SessionDescriptors.Should().Be(82 - 4 - 20);
        budget.MaxSessions.Should().Be(29);
        budget.ToString().Should().Be("limit 256 = runtime 110 + reserve 64 + log files 4 + MCP 20 (17 connections + 3) + sessions 29 × 2");
        budget.Parts.Select(p => p.Name).Should().Equal("log files", "MCP");
    }

    [Test]
    public void ReserveUpTo_WhenTheDescriptorsAllow_GrantsWhatIsAsked()
    {
        var budget = new DescriptorBudget(4096, 120);

        budget.ReserveUpTo("MCP", 64, 3).Should().Be(64);
    }

    [Test]
    public void TryAcquire_NeverHandsOutMoreThanTheSessionDescriptors_AndReleaseGivesThemBack()
    {
        var budget = new DescriptorBudget(256, 120);
        var total = budget.SessionDescriptors;
        var sessions = 0;
        while (budget.TryAcquire(DescriptorBudget.DescriptorsPerSession))
        {
            sessions++;
        }

        sessions.Should().Be((int)(total / 2));
        budget.TryAcquire(1).Should().Be(total % 2 == 1, "an odd spare descriptor is still there for an extra charge");
        budget.Release(DescriptorBudget.DescriptorsPerSession);
        budget.TryAcquire(3).Should().BeFalse("a BIND session needs three and only two are free");
        budget.TryAcquire(2).Should().BeTrue();
    }

    [Test]
    public void Release_MoreThanAcquired_Throws()
    {
        var budget = new DescriptorBudget(1024, 120);
        budget.TryAcquire(2).Should().BeTrue();

        var release = () => budget.Release(3);

        release.Should().Throw<InvalidOperationException>();
        budget.InUse.Should().Be(2);
    }

    [Test]
    public void Reserve_SameNameTwice_Throws()
    {
        var budget = new DescriptorBudget(1024, 120);
        budget.Reserve("log files", 4);

        var again = () => budget.Reserve("log files", 4);

        again.Should().Throw<InvalidOperationException>();
    }

    [Test]
    public async Task Server_AdmitsSessionsAgainstAGivenBudget_AndAddsItsListenerAndRelayPipes()
    {
        var budget = new DescriptorBudget(1024, 120);
        budget.Reserve("log files", 4);
        await using var server = new SocksServer(new SocksServerOptions { Users = Socks.Core.Users.UserStore.CreateInMemory(10, Socks.Core.Users.UserStoreOptions.Default, null), DescriptorBudget = budget });

        server.DescriptorBudget.Should().BeSameAs(budget);
        budget.Parts.Select(p => p.Name).Should().Equal("log files", SocksServer.ListenerPart, Socks.Core.Relay.SpliceRelay.BudgetPart);
        server.MaxConnections.Should().Be((1024 - 120 - DescriptorBudget.ReserveDescriptors - 4 - 2 - Socks.Core.Relay.SpliceRelay.Descriptors) / 2);
    }

    [Test]
    public async Task Server_UserSpaceRelay_ReservesNoPipes()
    {
        var budget = new DescriptorBudget(1024, 120);
        await using var server = new SocksServer(new SocksServerOptions { Users = Socks.Core.Users.UserStore.CreateInMemory(10, Socks.Core.Users.UserStoreOptions.Default, null), DescriptorBudget = budget, KernelRelay = false });

        budget.Parts.Select(p => p.Name).Should().Equal(SocksServer.ListenerPart);
        server.MaxConnections.Should().Be((1024 - 120 - DescriptorBudget.ReserveDescriptors - 2) / 2);
    }
}
