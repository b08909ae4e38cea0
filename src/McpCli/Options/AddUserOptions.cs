using CommandLine;

namespace McpCli.Options;

/// <summary><c>mcpctl add-user USER [PASSWORD]</c>: ADD_USER (memo §4.3).</summary>
[Verb("add-user", HelpText = "Add a proxy user. Without PASSWORD, asks for it on the terminal.")]
internal sealed class AddUserOptions : CommonOptions
{
    [Value(0, MetaName = "USER", Required = true, HelpText = nameof(HelpTexts.User), ResourceType = typeof(HelpTexts))]
    public string User { get; set; } = "";

    [Value(1, MetaName = "PASSWORD",
        HelpText = nameof(HelpTexts.Password), ResourceType = typeof(HelpTexts))]
    public string? Password { get; set; }

    [Option("password-stdin", HelpText = "Read the password from the first line of standard input.")]
    public bool PasswordStdin { get; set; }

    [Value(2, Hidden = true)]
    public override IEnumerable<string> Extra { get; set; } = [];
}
