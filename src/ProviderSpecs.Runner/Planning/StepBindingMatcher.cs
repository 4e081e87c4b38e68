using System.Reflection;
using ProviderSpecs.Runner.Discovery;
using Reqnroll.Bindings;
using Reqnroll.Bindings.Reflection;

namespace ProviderSpecs.Runner.Planning;

/// <summary>A step of a scenario and the step-definition method that will run it, with the arguments the step text gives.</summary>
/// <param name="Arguments">The step text's captured values as written (before any step argument transformation), in order.</param>
/// <param name="TableRows">Rows of the step's data table below its header; 0 when it has none.</param>
public sealed record MatchedStep(StepSpec Step, MethodInfo Method, IReadOnlyList<string> Arguments, int TableRows);

/// <summary>
/// Finds, before a run, which step-definition method each step will run — the way the runtime does (step kind and the
/// binding's regular expression; captured groups in order) — so a suite can read attributes of the methods a
/// selection will call (e.g. what a step declares it spends). Steps no binding matches are left out: the run
/// reports them itself.
/// </summary>
public sealed class StepBindingMatcher(IBindingRegistry registry)
{
    private readonly IReadOnlyList<IStepDefinitionBinding> _bindings =
        registry.GetStepDefinitions().Where(b => b.IsValid && b.Regex is not null && b.Method is RuntimeBindingMethod).ToList();

    public IEnumerable<MatchedStep> Match(ScenarioSpec scenario)
    {
        foreach (var step in scenario.Steps)
            if (Match(step) is { } matched) yield return matched;
    }

    public MatchedStep? Match(StepSpec step)
    {
        var kind = step.Kind switch
        {
            StepKind.Given => StepDefinitionType.Given,
            StepKind.When => StepDefinitionType.When,
            _ => StepDefinitionType.Then,
        };
        foreach (var binding in _bindings)
        {
            if (binding.StepDefinitionType != kind) continue;
            var match = binding.Regex.Match(step.Text);
            if (!match.Success || match.Index != 0 || match.Length != step.Text.Length) continue;
            var arguments = match.Groups.Cast<System.Text.RegularExpressions.Group>().Skip(1).Where(g => g.Success).Select(g => g.Value).ToList();
            var rows = step.DataTable is { Count: > 1 } table ? table.Count - 1 : 0;
            return new MatchedStep(step, ((RuntimeBindingMethod)binding.Method).MethodInfo, arguments, rows);
        }
        return null;
    }
}
