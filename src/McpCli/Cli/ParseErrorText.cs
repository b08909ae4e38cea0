using CommandLine;

namespace McpCli.Cli;

/// <summary>One line, in our words, for what CommandLineParser rejected.</summary>
internal static class ParseErrorText
{
    /// <summary>Describes the first error that matters; <paramref name="verb"/> is the verb being parsed.</summary>
    public static string Describe(IEnumerable<Error> errors, Type? verb)
    {
        var error = errors.FirstOrDefault();
        return error switch
        {
            null => "invalid arguments",
            BadVerbSelectedError e => $"unknown verb '{e.Token}'",
            NoVerbSelectedError => "no verb given",
            UnknownOptionError e => $"unknown option '{(e.Token.Length == 1 ? "-" : "--")}{e.Token}'",
            MissingValueOptionError e => $"option '{Name(e.NameInfo)}' needs a value",
            BadFormatConversionError e => $"invalid value for '{Name(e.NameInfo)}'{Expected(e.NameInfo)}",
            RepeatedOptionError e => $"option '{Name(e.NameInfo)}' given more than once",
            MissingRequiredOptionError e when e.NameInfo.NameText.Length == 0 => $"missing argument {RequiredValue(verb)}",
            MissingRequiredOptionError e => $"missing option '{Name(e.NameInfo)}'",
            _ => $"invalid arguments ({error.Tag})",
        };
    }

    private static string Name(NameInfo name) =>
        name.LongName.Length > 0 ? "--" + name.LongName : "-" + name.ShortName;

    private static string Expected(NameInfo name) => name.LongName switch
    {
        "port" => ": expected a port number 1-65535",
        "timeout" => ": expected a number of seconds",
        _ => string.Empty,
    };

    private static string RequiredValue(Type? verb) =>
        verb is null ? "" : string.Join(' ', VerbCatalog.Values(verb).Where(v => v.Required).Select(v => v.MetaName));
}
