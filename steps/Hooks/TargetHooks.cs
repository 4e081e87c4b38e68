using NUnit.Framework;
using System.Reflection;
using System.Text.Json;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Budget;
using ProviderSpecs.Runner.Discovery;
using ProviderSpecs.Runner.Planning;
using ProviderSpecs.LivingDoc;
using ProviderSpecs.Runner;
using Reqnroll;
using Reqnroll.BoDi;
using Reqnroll.Bindings;

namespace ProviderSpecs.Steps.Hooks;

/// <summary>
/// Starts the target once per run (simulated providers, or the live APIs with SPECS_TARGET=live) and hands it to
/// each scenario. A scenario the target cannot run is skipped with the reason, never failed or passed.
/// </summary>
[Binding]
public sealed class TargetHooks
{
    private static SpecTarget? _target;

    /// <summary>The run's target, for feature- and run-level hooks (scenarios get it injected).</summary>
    public static SpecTarget Current => _target ?? throw new InvalidOperationException("The target did not start; see the [BeforeTestRun] error above.");

    private static LiveSpendPlan? _plan;

    /// <summary>The live plan of this run (null on the simulated target).</summary>
    public static LiveSpendPlan? Plan => _plan;

    [BeforeTestRun]
    public static async Task StartTargetAsync(IBindingRegistry bindings)
    {
        var kind = TargetKinds.FromEnvironment();
        var target = await SpecTarget.StartAsync(kind);
        _target = target;
        if (kind == TargetKind.Live) PlanTheLiveRun(target, bindings);
    }

    /// <summary>
    /// Before the first live request: states what the selected scenarios will spend (what their steps declare), writes
    /// reports/live-plan.json, and refuses to start when the live budget cannot cover it. With SPECS_LIVE_PLAN_ONLY set it
    /// stops there: every scenario is skipped and nothing is sent.
    /// </summary>
    private static void PlanTheLiveRun(SpecTarget target, IBindingRegistry bindings)
    {
        var selection = RunSelection.Current();
        var matcher = new StepBindingMatcher(bindings);
        var scenarios = selection.Scenarios.Select(s => PlannedScenario(s.Feature, s.Scenario, matcher));
        var plan = LiveSpendPlan.Build(scenarios, target.SkipReason, selection.FilterKnown);
        _plan = plan;
        var location = SuiteLocation.For(typeof(TargetHooks).Assembly);
        plan.Write(Path.Combine(location.ReportsDirectory, LivePlanFile), target.Budget);
        // The error stream is the one `dotnet test` shows at its default verbosity: the plan must be read before spending.
        TestContext.Error.WriteLine(plan.Describe(target.Budget));
        if (LivePlanOnly) return;
        if (plan.Refusal(target.Budget) is { } refusal) throw new InvalidOperationException(refusal);
    }

    public const string LivePlanFile = "live-plan.json";
    public const string LivePlanOnlyVariable = "SPECS_LIVE_PLAN_ONLY";

    private static bool LivePlanOnly => Environment.GetEnvironmentVariable(LivePlanOnlyVariable) is { Length: > 0 } value
                                        && value is not ("0" or "false" or "False");

    private static PlannedScenario PlannedScenario(FeatureSpec feature, ScenarioSpec scenario, StepBindingMatcher matcher) =>
        new(feature.Title, scenario.TestName, scenario.AllTags.ToList(),
            matcher.Match(scenario).Select(m => new PlannedStep(m.Step.Text, m.Method, m.Arguments, m.TableRows)).ToList());

    [AfterTestRun]
    public static async Task StopTargetAsync()
    {
        if (_target is null) return;
        WriteRunMetadata(_target);
        await _target.DisposeAsync();
    }

    // The informational version is the package's (3.3.4); the assembly version is only its major line (3.0.0.0).
    private static string PackageVersion(Type type) =>
        type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? type.Assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>The side-car the living doc reads next to specs.ndjson: which target, when, with which versions, what it spent.</summary>
    private static void WriteRunMetadata(SpecTarget target)
    {
        var reports = SuiteLocation.For(typeof(TargetHooks).Assembly).ReportsDirectory;
        Directory.CreateDirectory(reports);
        var metadata = new RunMetadata(
            Label: target.Kind == TargetKind.Live ? "live run" : "simulated run",
            Target: target.Kind.ToString().ToLowerInvariant(),
            Date: DateTimeOffset.UtcNow,
            Versions: new Dictionary<string, string>
            {
                [".NET"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                ["Reqnroll"] = PackageVersion(typeof(BindingAttribute)),
                ["ProviderSpecs"] = PackageVersion(typeof(SpecTarget)),
                ["commit"] = Commit(Path.GetDirectoryName(SuiteLocation.For(typeof(TargetHooks).Assembly).FeaturesDirectory)!) ?? "unknown",
            },
            LiveBudgetSpent: target.Kind == TargetKind.Live
                ? new ProviderSpecs.LivingDoc.LiveBudget((int)target.Budget.RequestsSpent, target.Budget.TokensSpent,
                    PlannedRequests: _plan?.Total.Requests, PlannedTokens: _plan?.Total.MaxTokens,
                    MaxRequests: target.Budget.MaxRequests, MaxTokens: target.Budget.MaxTokens, Refused: target.Budget.Refused)
                : null,
            RateLimitsSeen: target.Pacer is { } pacer ? RateLimitsSeen(pacer) : null);
        File.WriteAllText(Path.Combine(reports, "specs.run.json"), JsonSerializer.Serialize(metadata, LivingDocJson.Options));
    }

    /// <summary>Per model: the limits announced, and how often the run held requests back or met a 429.</summary>
    private static List<string> RateLimitsSeen(ProviderSpecs.Providers.Resilience.RateLimitPacer pacer) =>
        pacer.Limits.GroupBy(l => (l.Provider, l.Model)).OrderBy(g => g.Key.Provider).ThenBy(g => g.Key.Model).Select(g =>
        {
            var record = pacer.RecordOf(g.Key.Provider, g.Key.Model);
            return $"{g.Key.Provider} {g.Key.Model}: {string.Join(", ", g.Select(l => l.ToString()))} — {record.Sent} sent, {record.Held} held back "
                   + $"(longest {record.LongestHold.TotalSeconds:0.#} s), {record.RateLimited} answered 429";
        }).ToList();

    /// <summary>The commit the run tested: GITHUB_SHA in a workflow, else the checkout's HEAD (read from .git, no process started).</summary>
    private static string? Commit(string repositoryRoot)
    {
        if (Environment.GetEnvironmentVariable("GITHUB_SHA") is { Length: >= 7 } sha) return sha[..12];
        try
        {
            var git = Path.Combine(repositoryRoot, ".git");
            var head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
            if (!head.StartsWith("ref: ", StringComparison.Ordinal)) return head[..Math.Min(12, head.Length)];
            var reference = head[5..];
            var loose = Path.Combine(git, reference);
            if (File.Exists(loose)) return File.ReadAllText(loose).Trim()[..12];
            var packed = Path.Combine(git, "packed-refs");
            return File.Exists(packed)
                ? File.ReadLines(packed).FirstOrDefault(l => l.EndsWith(" " + reference, StringComparison.Ordinal))?[..12]
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // not a git checkout (e.g. a source archive)
        }
    }

    [BeforeScenario(Order = 0)]
    public static void ProvideTarget(IObjectContainer scenarioContainer, ScenarioContext scenario)
    {
        var target = _target ?? throw new InvalidOperationException("The target did not start; see the [BeforeTestRun] error above.");
        scenarioContainer.RegisterInstanceAs(target);
        if (target.SkipReason(scenario.ScenarioInfo.CombinedTags) is { } reason)
            Assert.Ignore(reason);
        if (target.Kind == TargetKind.Live && LivePlanOnly)
            Assert.Ignore($"Not run: {LivePlanOnlyVariable} is set, so the run only stated its live plan (reports/{LivePlanFile}).");
        if (target.Kind == TargetKind.Live && target.Budget.Exhausted)
            Assert.Ignore($"{ScenarioCannotRunException.BudgetSpentReason}: {target.Budget}. Raise {ProviderSpecs.Providers.Budget.LiveBudget.MaxRequestsVariable} or {ProviderSpecs.Providers.Budget.LiveBudget.MaxTokensVariable} to run the rest.");
        // A synchronous hook: the meter it makes current flows into every step of the scenario (Reqnroll keeps the
        // execution context from one binding to the next).
        scenarioContainer.RegisterInstanceAs(SpendMeter.Start());
    }

    /// <summary>
    /// On the simulated target, a scenario that ran clean must have sent the requests its steps declare (exactly, or within
    /// the range a step declares when some requests depend on the outcome)
    /// (<see cref="LiveSpendAttribute"/>), and reserved no more tokens: that is what keeps the live plan true. Scenarios
    /// that inject faults (and so provoke retries) are left out.
    /// </summary>
    [AfterScenario(Order = 0)]
    public static void CheckDeclaredSpend(ScenarioContext scenario, IObjectContainer scenarioContainer, IBindingRegistry bindings)
    {
        SpendMeter.Stop();
        if (_target is not { Kind: TargetKind.Simulated } || scenario.ScenarioExecutionStatus != ScenarioExecutionStatus.OK
            || !scenarioContainer.IsRegistered<SpendMeter>()
            || scenario.ScenarioInfo.CombinedTags.Contains(SpecTarget.SimulatorOnlyTag, StringComparer.OrdinalIgnoreCase)
            || !scenarioContainer.IsRegistered<RunningScenario>()) return;
        var meter = scenarioContainer.Resolve<SpendMeter>();
        var (feature, spec) = scenarioContainer.Resolve<RunningScenario>();
        var steps = PlannedScenario(feature, spec, new StepBindingMatcher(bindings));
        var declared = steps.Spend(TargetKind.Simulated);
        if (meter.Requests > declared.Requests || meter.Requests < declared.MinRequests || meter.Tokens > declared.MaxTokens)
            throw new InvalidOperationException(
                $"The steps of this scenario declare {declared} ([LiveSpend] on their step definitions) but it sent {meter}. "
                + "Correct the declaration of the step that sends, so the live plan states what a live run spends. Declared per step: "
                + string.Join("; ", steps.StepSpends(TargetKind.Simulated).Select(s => $"'{s.Step.Text}' {s.Spend}")));
    }
}
