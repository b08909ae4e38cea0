using Socks.Core.Access.Rules;

namespace ProxyHost.Hosting;

/// <summary>The SIGHUP step that re-reads the --rules file: a good file replaces the rules, a bad one keeps those in force.</summary>
internal static class RulesReloadStep
{
    /// <summary>The step's name in the SIGHUP line.</summary>
    public const string Name = "rules file";

    /// <summary>Re-reads the file the rules of <paramref name="policy"/> came from (docs/rules.md, "Reload").</summary>
    /// <param name="policy">The policy in force.</param>
    /// <returns>"/etc/socks5d/rules.conf reloaded: 6 rules", or why nothing changed (file and line).</returns>
    public static ReloadStepResult Run(AccessRulesPolicy policy)
    {
        try
        {
            var rules = AccessRuleSet.Load(policy.Rules.FilePath);
            policy.Rules = rules;
            return ReloadStepResult.Done($"{rules.FilePath} reloaded: {rules.Count} rules");
        }
        catch (AccessRulesException exception)
        {
            // One line naming the file and the line; the rules in force stay.
            return ReloadStepResult.Failure($"not reloaded, the {policy.Rules.Count} rules loaded before are kept: {exception.Message}");
        }
    }
}
