using ProxyHost;
using ProxyHost.CommandLine;
using ProxyHost.Hosting;
using ProxyHost.Unix;

// socks5d: parse the command line, compose Socks.Core into a generic host, run until signalled.
// First of all the descriptor limit, before the host's assemblies load (RunAsync is compiled only when called).
if (DescriptorFloor.Check() is { } tooFewDescriptors)
{
    return tooFewDescriptors;
}

// Before the first socket exists: the runtime reads the switch once, when its socket engine starts.
InlineSocketCompletions.EnableUnlessSet();

return await RunAsync(args);

static async Task<int> RunAsync(string[] args)
{
    try
    {
        var outcome = ArgumentParser.Parse(args, Console.Out, Console.Error);
        if (outcome.Settings is not { } settings)
        {
            return outcome.ExitCode;
        }

        return await SocksHost.RunAsync(settings, Console.Error);
    }
    catch (Exception exception)
    {
        // Users get one line, never a stack trace; this is a bug of ours, reported as such.
        await Console.Error.WriteLineAsync($"socks5d: internal error: {exception.GetType().Name}: {exception.Message}");
        return ExitCodes.Internal;
    }
}
