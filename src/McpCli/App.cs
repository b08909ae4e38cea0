using System.Net.Sockets;
using CommandLine;
using Mcp.Protocol;
using McpCli.Cli;
using McpCli.Commands;
using McpCli.Input;
using McpCli.Options;
using McpCli.Watch;

namespace McpCli;

/// <summary>
/// The whole of <c>mcpctl</c> behind <c>Main</c>: argv in, exit code out, with the standard streams
/// and the terminal passed in so tests can run it in-process.
/// </summary>
internal static class App
{
    /// <summary>Runs one <c>mcpctl</c> invocation.</summary>
    /// <param name="args">The command line without the program name.</param>
    /// <param name="stdin">Standard input (read only for <c>--password-stdin</c>).</param>
    /// <param name="stdout">Results.</param>
    /// <param name="stderr">Errors, prompts and notes.</param>
    /// <param name="console">The terminal for the password prompt, or null when there is none.</param>
    /// <param name="cancellationToken">Stops a running command.</param>
    /// <param name="environment">
    /// Reads an environment variable (MCPCTL_HOST, MCPCTL_PORT, MCPCTL_SOCKET: <see cref="ConnectionEnvironment"/>), or
    /// null to read none.
    /// </param>
    /// <returns>The process exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(
        string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, IConsole? console, CancellationToken cancellationToken = default, Func<string, string?>? environment = null)
    {
        try
        {
            switch (ArgumentScanner.Scan(args))
            {
                case HelpInvocation { Verb: null }:
                    HelpWriter.WriteGeneralHelp(stdout);
                    return ExitCodes.Ok;
                case HelpInvocation { Verb: { } verb }:
                    HelpWriter.WriteVerbHelp(stdout, verb);
                    return ExitCodes.Ok;
                case VersionInvocation:
                    stdout.WriteLine(HelpWriter.Version);
                    return ExitCodes.Ok;
                case CompletionInvocation completion:
                    stdout.Write(CompletionScripts.For(completion.Shell));
                    return ExitCodes.Ok;
                case RunInvocation given:
                    var run = ConnectionEnvironment.Apply(given, environment);
                    using (var parser = CreateParser())
                    {
                        return await parser
                            .ParseArguments<MetricsOptions, ListUsersOptions, AddUserOptions, RemoveUserOptions, ToggleDissectorOptions, DissectorOptions, UsersOptions, SetLimitsOptions, WatchOptions>(run.Args)
                            .MapResult(
                                (MetricsOptions o) => Create(o, s => new MetricsCommand(Connector(s), stdout, stderr, s)).RunAsync(cancellationToken),
                                (ListUsersOptions o) => Create(o, s => new ListUsersCommand(Connector(s), stdout, stderr, s)).RunAsync(cancellationToken),
                                (AddUserOptions o) => CreateAddUser(o, stdin, stdout, stderr, console).RunAsync(cancellationToken),
                                (RemoveUserOptions o) => CreateRemoveUser(o, stdout, stderr).RunAsync(cancellationToken),
                                (ToggleDissectorOptions o) => Create(o, s => new ToggleDissectorCommand(Connector(s), stdout, stderr, s)).RunAsync(cancellationToken),
                                (DissectorOptions o) => CreateDissector(o, stdout, stderr).RunAsync(cancellationToken),
                                (UsersOptions o) => Create(o, s => new UsersCommand(Connector(s), stdout, stderr, s)).RunAsync(cancellationToken),
                                (SetLimitsOptions o) => CreateSetLimits(o, stdout, stderr).RunAsync(cancellationToken),
                                (WatchOptions o) => CreateWatch(o, stderr).RunAsync(cancellationToken),
                                errors => throw new UsageException(ParseErrorText.Describe(errors, run.Verb), run.Verb))
                            .ConfigureAwait(false);
                    }

                default:
                    throw new InvalidOperationException("unhandled invocation kind");
            }
        }
        catch (UsageException e)
        {
            ErrorLine.Write(stderr, e.Message);
            if (e.ShowUsage)
            {
                HelpWriter.WriteShortUsage(stderr, e.Verb);
            }

            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Never a stack trace for the user; the type name says enough for a bug report.
            ErrorLine.Write(stderr, $"internal error: {e.GetType().FullName}: {e.Message}");
            return ExitCodes.Software;
        }
        finally
        {
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The one parser configuration: help and version are ours (see <see cref="ArgumentScanner"/>).</summary>
    internal static Parser CreateParser() => new(settings =>
    {
        settings.AutoHelp = false;
        settings.AutoVersion = false;
        settings.HelpWriter = null;
        settings.CaseSensitive = true;
        settings.CaseInsensitiveEnumValues = false;
        settings.EnableDashDash = true;
        settings.IgnoreUnknownArguments = false;
    });

    /// <summary>Validates the common options, then creates the command from them.</summary>
    private static TCommand Create<TCommand>(CommonOptions options, Func<CommandSettings, TCommand> create) => create(Validate(options));

    private static CommandSettings Validate(CommonOptions options) =>
        ArgumentValidator.Settings(options, options.GetType());

    private static Func<CancellationToken, Task<McpClient>> Connector(CommandSettings settings) =>
        settings.SocketPath is { } path
            ? cancellationToken => McpClient.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken)
            : cancellationToken => McpClient.ConnectAsync(settings.Host, settings.Port, cancellationToken);

    private static AddUserCommand CreateAddUser(AddUserOptions options, TextReader stdin, TextWriter stdout, TextWriter stderr, IConsole? console)
    {
        var verb = typeof(AddUserOptions);
        var settings = Validate(options);
        var user = ArgumentValidator.UserName(options.User, verb);
        string password;
        var showUsage = true;
        if (options.Password is not null)
        {
            if (options.PasswordStdin)
            {
                throw new UsageException("give the password either as PASSWORD or with --password-stdin, not both", verb);
            }

            password = options.Password;
        }
        else if (options.PasswordStdin)
        {
            password = PasswordReader.FromStdin(stdin)
                ?? throw new UsageException("--password-stdin: standard input is empty; expected the password on its first line", verb);
        }
        else if (console is { IsInputRedirected: false })
        {
            // Asked before connecting, so the timeout does not run while the user types.
            password = PasswordReader.FromTerminal(console, stderr);
            showUsage = false;
        }
        else
        {
            throw new UsageException("no password given and standard input is not a terminal: use --password-stdin to read it from standard input", verb);
        }

        return new AddUserCommand(Connector(settings), stdout, stderr, settings, user, ArgumentValidator.Password(password, verb, showUsage));
    }

    private static DissectorCommand CreateDissector(DissectorOptions options, TextWriter stdout, TextWriter stderr)
    {
        var settings = Validate(options);
        var wanted = ArgumentValidator.DissectorAction(options.Action, typeof(DissectorOptions));
        return new DissectorCommand(Connector(settings), stdout, stderr, settings, wanted);
    }

    private static SetLimitsCommand CreateSetLimits(SetLimitsOptions options, TextWriter stdout, TextWriter stderr)
    {
        var verb = typeof(SetLimitsOptions);
        var settings = Validate(options);
        var user = ArgumentValidator.UserName(options.User, verb);
        if (options.Rate is not null && (options.RateUp is not null || options.RateDown is not null))
        {
            throw new UsageException("give either --rate or --rate-up/--rate-down, not both", verb);
        }

        if (options.Sessions is null && options.Rate is null && options.RateUp is null && options.RateDown is null && options.Quota is null)
        {
            throw new UsageException("give at least one limit: --sessions, --rate, --rate-up, --rate-down or --quota", verb);
        }

        try
        {
            uint? sessions = options.Sessions is { } s ? LimitValues.Sessions(s) : null;
            ulong? up = (options.Rate ?? options.RateUp) is { } u ? LimitValues.Rate(options.Rate is null ? "--rate-up" : "--rate", u) : null;
            ulong? down = (options.Rate ?? options.RateDown) is { } d ? LimitValues.Rate(options.Rate is null ? "--rate-down" : "--rate", d) : null;
            (ulong Bytes, McpQuotaPeriod Period)? quota = options.Quota is { } q ? LimitValues.Quota(q) : null;
            return new SetLimitsCommand(Connector(settings), stdout, stderr, settings, user, current => new McpUserLimits(
                sessions ?? current.MaxSessions,
                up ?? current.RateUp,
                down ?? current.RateDown,
                quota?.Bytes ?? current.Quota,
                quota?.Period ?? current.Period));
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message, verb, showUsage: false);
        }
    }

    private static WatchCommand CreateWatch(WatchOptions options, TextWriter stderr)
    {
        var settings = Validate(options);
        if (settings.Json)
        {
            throw new UsageException("watch draws for people and has no --json; for scripts use 'mcpctl metrics --json'", typeof(WatchOptions));
        }

        return new WatchCommand(Connector(settings), stderr, settings);
    }

    private static RemoveUserCommand CreateRemoveUser(RemoveUserOptions options, TextWriter stdout, TextWriter stderr)
    {
        var settings = Validate(options);
        var user = ArgumentValidator.UserName(options.User, typeof(RemoveUserOptions));
        return new RemoveUserCommand(Connector(settings), stdout, stderr, settings, user);
    }
}
