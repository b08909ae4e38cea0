using Microsoft.Extensions.Logging;
using ProxyHost.Hosting;

namespace ProxyHost.Tests.Hosting;

/// <summary>The SIGHUP step list: steps run in the order they were added, and the reload is one line.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class ReloadCoordinatorTests
{
    [Test]
    public async Task RunAsync_StepsInTheOrderAdded_OneInformationLineNamingEach()
    {
        var logger = new CapturingLogger();
        var reload = new ReloadCoordinator(logger);
        var ran = new List<string>();
        reload.Add("first", () =>
        {
            ran.Add("first");
            return ReloadStepResult.Done("reopened at /x");
        });
        reload.AddAsyncStep("second", async () =>
        {
            await Task.Yield();
            ran.Add("second");
            return ReloadStepResult.Done("unchanged");
        });

        var (summary, failed) = await reload.RunAsync();

        ran.Should().Equal("first", "second");
        failed.Should().BeFalse();
        summary.Should().Be("first reopened at /x; second unchanged");
        logger.Entries.Should().ContainSingle().Which.Should().Match<CapturingLogger.Entry>(e =>
            e.Level == LogLevel.Information && e.EventId == 41 && e.Message == "SIGHUP received: first reopened at /x; second unchanged");
        reload.StepNames.Should().Equal("first", "second");
    }

    [Test]
    public async Task RunAsync_AStepFails_TheOthersStillRun_AndTheOneLineIsAWarning()
    {
        var logger = new CapturingLogger();
        var reload = new ReloadCoordinator(logger);
        reload.Add("rules file", () => ReloadStepResult.Failure("not reloaded, the old rules are kept: line 3: bad address"));
        reload.Add("users file", () => ReloadStepResult.Done("reloaded: 2 users"));

        var (summary, failed) = await reload.RunAsync();

        failed.Should().BeTrue();
        summary.Should().Be("rules file not reloaded, the old rules are kept: line 3: bad address; users file reloaded: 2 users");
        logger.Entries.Should().ContainSingle().Which.Should().Match<CapturingLogger.Entry>(e =>
            e.Level == LogLevel.Warning && e.EventId == 46 && e.Message == "SIGHUP received: " + summary);
    }

    [Test]
    public async Task RunAsync_AStepThrows_ItsErrorIsLogged_AndTheLineStillComes()
    {
        var logger = new CapturingLogger();
        var reload = new ReloadCoordinator(logger);
        reload.Add("broken", () => throw new InvalidOperationException("a bug"));
        reload.Add("users file", () => ReloadStepResult.Done("reloaded: 2 users"));

        var (summary, failed) = await reload.RunAsync();

        failed.Should().BeTrue();
        summary.Should().Be("broken failed (see the error above); users file reloaded: 2 users");
        logger.Entries.Select(e => (e.Level, e.EventId)).Should().Equal((LogLevel.Error, 43), (LogLevel.Warning, 46));
        logger.Entries[0].Exception.Should().BeOfType<InvalidOperationException>();
    }

    [Test]
    public async Task RunAsync_NoSteps_SaysSo()
    {
        var logger = new CapturingLogger();

        (await new ReloadCoordinator(logger).RunAsync()).Should().Be(("nothing to reload", false));
        logger.Entries.Should().ContainSingle().Which.Message.Should().Be("SIGHUP received: nothing to reload");
    }
}
