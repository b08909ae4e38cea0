using Microsoft.Extensions.Logging;

namespace Socks.Core.Tests.Server.Infrastructure;

/// <summary>A logger factory whose every category logs into one (capturing) logger.</summary>
internal sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => logger;

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("Every category logs into the one capturing logger.");

    public void Dispose()
    {
        // Nothing owned: the logger belongs to the test.
    }
}
