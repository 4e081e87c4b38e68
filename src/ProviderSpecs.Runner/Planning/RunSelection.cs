using System.Reflection;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using ProviderSpecs.Runner.Discovery;

namespace ProviderSpecs.Runner.Planning;

/// <summary>The scenarios a test run is about to execute: those NUnit's filter (e.g. <c>--filter TestCategory=groq</c>) selects.</summary>
/// <param name="Scenarios">Each selected scenario with its feature.</param>
/// <param name="FilterKnown">False when the run's filter could not be read: <see cref="Scenarios"/> then holds every scenario.</param>
public sealed record RunSelection(IReadOnlyList<(FeatureSpec Feature, ScenarioSpec Scenario)> Scenarios, bool FilterKnown)
{
    /// <summary>
    /// Reads the selection from inside the run, before any scenario starts (a <c>[BeforeTestRun]</c> hook or the set-up
    /// fixture's one-time set-up). NUnit does not publish the run's filter, so it is read from the dispatcher's
    /// top-level work item; if that ever fails (another NUnit version), every scenario counts and
    /// <see cref="FilterKnown"/> says so — a plan then errs on the side of spending less than it states.
    /// </summary>
    public static RunSelection Current()
    {
        var context = TestExecutionContext.CurrentContext;
        ITest? root = context.CurrentTest;
        while (root?.Parent is { } parent) root = parent;
        var filter = ReadFilter(context);
        var selected = new List<(FeatureSpec, ScenarioSpec)>();
        if (root is not null) Collect(root, filter, selected);
        return new RunSelection(selected, filter is not null);
    }

    private static ITestFilter? ReadFilter(TestExecutionContext context)
    {
        try
        {
            var dispatcher = context.Dispatcher;
            var field = dispatcher?.GetType().GetField("_topLevelWorkItem", BindingFlags.Instance | BindingFlags.NonPublic);
            return (field?.GetValue(dispatcher) as NUnit.Framework.Internal.Execution.WorkItem)?.Filter;
        }
        catch (Exception e) when (e is FieldAccessException or TargetException or InvalidCastException)
        {
            return null;
        }
    }

    // Scenarios sit under their feature's fixture (with a method suite between them); the fixture carries the FeatureSpec.
    private static void Collect(ITest test, ITestFilter? filter, List<(FeatureSpec, ScenarioSpec)> selected, FeatureSpec? feature = null)
    {
        if (test.RunState is RunState.NotRunnable or RunState.Ignored or RunState.Skipped) return;
        if (test.Arguments is [FeatureSpec fixtureFeature, ..]) feature = fixtureFeature;
        if (!test.IsSuite)
        {
            if (test.Arguments is [ScenarioSpec scenario, ..] && feature is not null
                && test.RunState != RunState.Explicit && (filter is null || filter.Pass(test)))
                selected.Add((feature, scenario));
            return;
        }
        foreach (var child in test.Tests) Collect(child, filter, selected, feature);
    }
}

/// <summary>The scenario being run, as the runner discovered it; hooks and steps receive it by injection.</summary>
public sealed record RunningScenario(FeatureSpec Feature, ScenarioSpec Scenario);
