using Socks.Core;

namespace ProxyHost.CommandLine;

/// <summary>Checks the BIND flags (--bind, --no-bind, --bind-timeout) into <see cref="HostSettings"/>.</summary>
internal static class BindOptions
{
    /// <summary>Validates the BIND flags and adds them to <paramref name="settings"/>.</summary>
    /// <param name="options">The bound flags.</param>
    /// <param name="settings">The settings so far; replaced by a copy with the BIND settings.</param>
    /// <returns>Null when valid, or the one-line error naming the flag and the bad value.</returns>
    public static string? Apply(CommandLineOptions options, ref HostSettings settings)
    {
        if (options.Bind && options.NoBind)
        {
            return "--bind and --no-bind contradict each other: give one";
        }

        if (!ArgumentParser.TryDuration(options.BindTimeout, "--bind-timeout", SocksServerOptions.DefaultBindTimeout, allowZero: false, out var timeout, out var error))
        {
            return error;
        }

        settings = settings with { AllowBind = !options.NoBind, BindTimeout = timeout };
        return null;
    }
}
