using System.Collections.Concurrent;
using System.Globalization;
using NUnit.Framework;
using ProviderSpecs.Runner.Discovery;
using ProviderSpecs.Runner.Planning;
using ProviderSpecs.Runner.ReqnrollIntegration;
using Reqnroll;
using Reqnroll.Infrastructure;

namespace ProviderSpecs.Runner.NUnitIntegration;

/// <summary>
/// Base class of a suite's feature fixture: runs the scenarios of one feature through the Reqnroll runtime, in
/// the order Reqnroll's generated NUnit code would. A suite declares
/// <c>[FeatureFixtures] public sealed class Features(FeatureSpec feature) : FeatureFixture(feature);</c>.
/// </summary>
public abstract class FeatureFixture(FeatureSpec feature)
{
    // The runtime compares FeatureInfo instances with Equals, so each feature gets exactly one.
    private static readonly ConcurrentDictionary<FeatureSpec, FeatureInfo> FeatureInfos = new();

    public FeatureSpec Feature { get; } = feature;

    private FeatureInfo FeatureInfo => FeatureInfos.GetOrAdd(Feature, static f => new FeatureInfo(
        CultureInfo.GetCultureInfo(f.Language), f.Area, f.Title, f.Description, ProgrammingLanguage.CSharp,
        f.Tags.ToArray(), new InMemoryFeatureMessages(f)));

    [Scenarios]
    public async Task Scenario(ScenarioSpec? scenario)
    {
        if (Feature.ParseError is not null || scenario is null)
        {
            Assert.Fail(Feature.ParseError ?? $"{Feature.RelativePath}: no scenario was given to run.");
            return;
        }

        var assembly = GetType().Assembly;
        ScenarioSkips.Register(assembly);
        var runner = TestRunnerManager.GetTestRunnerForAssembly(assembly, featureHint: FeatureInfo);
        try
        {
            await StartFeatureAsync(runner);
            await RunScenarioAsync(runner, scenario);
        }
        finally
        {
            TestRunnerManager.ReleaseTestRunner(runner);
        }
    }

    [OneTimeTearDown]
    public async Task ReleaseFeatureAsync()
    {
        if (Feature.ParseError is null)
            await TestRunnerManager.ReleaseFeatureAsync(FeatureInfo, GetType().Assembly);
    }

    private async Task StartFeatureAsync(ITestRunner runner)
    {
        try
        {
            // A runner last used by another feature must close that feature first (its AfterFeature hooks run).
            if (runner.FeatureContext is { } context && !context.FeatureInfo.Equals(FeatureInfo))
                await runner.OnFeatureEndAsync();
        }
        finally
        {
            if (runner.FeatureContext is { BeforeFeatureHookFailed: true })
                throw new ReqnrollException($"Scenario not run: a [BeforeFeature] hook of '{Feature.Title}' failed (see the first scenario of the feature for its error).");
            if (runner.FeatureContext is null)
                await runner.OnFeatureStartAsync(FeatureInfo);
        }
    }

    private async Task RunScenarioAsync(ITestRunner runner, ScenarioSpec scenario)
    {
        var scenarioInfo = new ScenarioInfo(scenario.Title, scenario.Description, scenario.OwnTags.ToArray(),
            scenario.ExampleArguments, scenario.InheritedTags.ToArray(), scenario.PickleIndex.ToString(CultureInfo.InvariantCulture));
        var ruleInfo = scenario.Rule is { } rule ? new RuleInfo(rule.Title, rule.Description, rule.Tags.ToArray()) : null;

        runner.OnScenarioInitialize(scenarioInfo, ruleInfo);
        runner.ScenarioContext.ScenarioContainer.RegisterInstanceAs(TestContext.CurrentContext);
        // The scenario as discovered (its steps and tags), for hooks that need more than ScenarioInfo.
        runner.ScenarioContext.ScenarioContainer.RegisterInstanceAs(new RunningScenario(Feature, scenario));
        var ignored = TagHelper.ContainsIgnoreTag(scenarioInfo.CombinedTags);
        try
        {
            if (ignored)
            {
                // Reported as skipped in the message stream, and as ignored in NUnit.
                await runner.SkipScenarioAsync();
            }
            else
            {
                await runner.OnScenarioStartAsync();
                foreach (var step in scenario.Steps)
                    await RunStepAsync(runner, step);
                await CollectScenarioErrorsAsync(runner);
            }
        }
        finally
        {
            await runner.OnScenarioEndAsync();
        }

        if (ignored)
            Assert.Ignore("Ignored: the scenario is tagged @ignore.");
    }

    private static async Task CollectScenarioErrorsAsync(ITestRunner runner)
    {
        try
        {
            await runner.CollectScenarioErrorsAsync();
        }
        catch (MissingStepDefinitionException)
        {
            // Reqnroll puts the skeleton only in the step output; the failure message is where a reader looks.
            var skeleton = runner.ScenarioContext.ScenarioContainer.Resolve<ITestUndefinedMessageFactory>()
                .BuildFromContext(runner.ScenarioContext, runner.FeatureContext);
            throw new UndefinedStepsException(skeleton);
        }
        catch (Exception e) when (ScenarioSkips.IsSkip(e))
        {
            // Reqnroll marks the scenario skipped but rethrows the exception; NUnit must see it as ignored, with its reason.
            Assert.Ignore(e.Message);
        }
    }

    private static Task RunStepAsync(ITestRunner runner, StepSpec step)
    {
        Table? table = null;
        if (step.DataTable is { Count: > 0 } rows)
        {
            table = new Table(rows[0].ToArray());
            foreach (var row in rows.Skip(1))
                table.AddRow(row.ToArray());
        }

        return step.Kind switch
        {
            StepKind.Given => runner.GivenAsync(step.Text, step.DocString, table, step.Keyword),
            StepKind.When => runner.WhenAsync(step.Text, step.DocString, table, step.Keyword),
            _ => runner.ThenAsync(step.Text, step.DocString, table, step.Keyword),
        };
    }
}

/// <summary>A scenario has steps no binding matches; the message carries the step-definition skeleton to paste.</summary>
public sealed class UndefinedStepsException(string messageWithSkeleton) : ReqnrollException(messageWithSkeleton);
