using System.Text.RegularExpressions;
using Socks.Core.Access.Rules;

namespace Socks.Core.Tests.Access.Rules;

/// <summary>Every rules example in docs/rules.md parses, and the error examples are the messages the parser gives.</summary>
public sealed partial class RulesDocumentationTests
{
    [Test]
    public void Examples_AllParse()
    {
        var blocks = Blocks().Where(b => b.StartsWith("# rules.conf", StringComparison.Ordinal) || b.StartsWith("# Comments start", StringComparison.Ordinal)
            || b.StartsWith("# Office network", StringComparison.Ordinal)).ToList();

        blocks.Should().HaveCountGreaterThanOrEqualTo(3);
        foreach (var block in blocks.Where(b => !b.StartsWith("# Comments start", StringComparison.Ordinal)))
        {
            AccessRuleSet.Parse(block, "docs/rules.md").Count.Should().BeGreaterThan(0, block);
        }
    }

    [TestCase("allow\nallow\nallow\ndeny dst=10.0.0.0/8")]
    [TestCase("allow\nallow\nallow\nallow\nallow\nallow\nallow client=10.0.0.1/8")]
    [TestCase("allow\nallow\nallow\nallow\nallow\nallow\nallow\nallow\nallow port=90-80")]
    public void ErrorExamples_AreTheParsersMessages(string text)
    {
        var parse = () => AccessRuleSet.Parse(text, "/etc/socks5d/rules.conf");

        var message = parse.Should().Throw<AccessRulesException>().Which.Message;
        File.ReadAllText(RepositoryFiles.Find("docs/rules.md")).Should().Contain(message);
    }

    private static IEnumerable<string> Blocks() =>
        CodeBlock().Matches(File.ReadAllText(RepositoryFiles.Find("docs/rules.md"))).Select(m => m.Groups[1].Value);

    [GeneratedRegex("```\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
