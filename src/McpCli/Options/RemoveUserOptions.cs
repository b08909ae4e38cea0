using CommandLine;

namespace McpCli.Options;

/// <summary><c>mcpctl remove-user USER</c>: REMOVE_USER (memo §4.4).</summary>
[Verb("remove-user", HelpText = "Remove a proxy user.")]
internal sealed class RemoveUserOptions : CommonOptions
{
    [Value(0, MetaName = "USER", Required = true, HelpText = nameof(HelpTexts.User), ResourceType = typeof(HelpTexts))]
    public string User { get; set; } = "";

    [Value(1, Hidden = true)]
    public override IEnumerable<string> Extra { get; set; } = [];
}
