using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Budget;

namespace ProviderSpecs.Drivers.LivePlan;

/// <summary>A step of a planned scenario: the step-definition method that runs it and the arguments its text gives.</summary>
public sealed record PlannedStep(string Text, MethodInfo Method, IReadOnlyList<string> Arguments, int TableRows)
{
    /// <summary>What the step declares it spends (<see cref="LiveSpendAttribute"/>); nothing when it declares nothing.</summary>
    public LiveSpend Spend(TargetKind target, IDictionary<string, object> scenarioNotes) =>
        Method.GetCustomAttribute<LiveSpendAttribute>() is { } declared
            ? declared.SpendOf(Method, new StepSpendQuery(Arguments, TableRows, target, scenarioNotes))
            : LiveSpend.None;
}

/// <summary>A scenario a run is about to execute, with its steps matched to their step definitions.</summary>
public sealed record PlannedScenario(string Feature, string Name, IReadOnlyList<string> Tags, IReadOnlyList<PlannedStep> Steps)
{
    public LiveSpend Spend(TargetKind target) => StepSpends(target).Aggregate(LiveSpend.None, (sum, step) => sum + step.Spend);

    /// <summary>Each step with what it declares, in order (earlier steps' notes reach later ones).</summary>
    public IReadOnlyList<(PlannedStep Step, LiveSpend Spend)> StepSpends(TargetKind target)
    {
        var notes = new Dictionary<string, object>(StringComparer.Ordinal);
        return Steps.Select(step => (step, step.Spend(target, notes))).ToList();
    }
}

/// <summary>One scenario's line in the plan: what it will spend, or why it will not run.</summary>
public sealed record PlanLine(string Feature, string Scenario, IReadOnlyList<string> Tags, LiveSpend Spend, string? SkipReason);

/// <summary>
/// What a live run will spend, stated before its first request: the sum of what the steps of every selected scenario
/// declare (<see cref="LiveSpendAttribute"/>), leaving out the scenarios the live target skips. The run refuses to start
/// when the live budget cannot cover it, and prints the variables to set.
/// </summary>
public sealed class LiveSpendPlan
{
    /// <summary>Retries (429, 5xx) spend beyond the plan; the recommended budget leaves this much room for them.</summary>
    public const double RetryHeadroom = 0.10;

    private LiveSpendPlan(IReadOnlyList<PlanLine> lines, bool filterKnown)
    {
        Lines = lines;
        FilterKnown = filterKnown;
        Total = lines.Where(l => l.SkipReason is null).Aggregate(LiveSpend.None, (sum, l) => sum + l.Spend);
    }

    public IReadOnlyList<PlanLine> Lines { get; }
    public bool FilterKnown { get; }
    public LiveSpend Total { get; }
    public int ScenariosToRun => Lines.Count(l => l.SkipReason is null);
    public int ScenariosSkipped => Lines.Count(l => l.SkipReason is not null);

    /// <summary>The budget to set: the plan plus <see cref="RetryHeadroom"/> for retries, rounded up.</summary>
    public LiveSpend Recommended => new(
        (long)Math.Ceiling(Total.Requests * (1 + RetryHeadroom)),
        (long)Math.Ceiling(Total.MaxTokens * (1 + RetryHeadroom) / 1000.0) * 1000,
        (long)Math.Ceiling(Total.Requests * (1 + RetryHeadroom)));

    /// <param name="skipReason">Why the live target would skip a scenario with these tags (null: it runs).</param>
    public static LiveSpendPlan Build(IEnumerable<PlannedScenario> scenarios, Func<IReadOnlyList<string>, string?> skipReason, bool filterKnown) =>
        new(scenarios.Select(s => new PlanLine(s.Feature, s.Name, s.Tags, s.Spend(TargetKind.Live), skipReason(s.Tags))).ToList(), filterKnown);

    /// <summary>What the scenarios with <paramref name="tag"/> spend (e.g. <c>groq</c>).</summary>
    public LiveSpend ForTag(string tag) =>
        Lines.Where(l => l.SkipReason is null && l.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)).Aggregate(LiveSpend.None, (sum, l) => sum + l.Spend);

    /// <summary>Null when <paramref name="budget"/> covers the plan; otherwise the message that stops the run.</summary>
    public string? Refusal(LiveBudget budget)
    {
        var shortOf = new List<string>();
        if (Total.Requests > budget.MaxRequests)
            shortOf.Add($"{Total.Requests:N0} requests but {LiveBudget.MaxRequestsVariable} allows {budget.MaxRequests:N0}");
        if (Total.MaxTokens > budget.MaxTokens)
            shortOf.Add($"{Total.MaxTokens:N0} output tokens but {LiveBudget.MaxTokensVariable} allows {budget.MaxTokens:N0}");
        if (shortOf.Count == 0) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"The live run was not started: its {ScenariosToRun} scenarios plan {string.Join(" and ", shortOf)}. Nothing was sent. "
            + $"Raise the budget to cover the plan with room for retries — {LiveBudget.MaxRequestsVariable}={Recommended.Requests} "
            + $"{LiveBudget.MaxTokensVariable}={Recommended.MaxTokens} — or select fewer scenarios (e.g. --filter \"TestCategory=groq\").");
    }

    /// <summary>The plan as a reader sees it before the run: totals, per provider, the costliest scenarios and what will be skipped.</summary>
    public string Describe(LiveBudget budget)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Live plan: {ScenariosToRun} scenarios to run will spend at most {AtMost(Total)}");
        text.Append(CultureInfo.InvariantCulture, $" (Groq {AtMost(ForTag("groq"))}; Together AI {AtMost(ForTag("together_ai"))}); {ScenariosSkipped} skipped on the live target.");
        text.AppendLine();
        if (!FilterKnown) text.AppendLine("  (the run's test filter could not be read: the plan counts every scenario, so it may state more than this run spends)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  Budget: {LiveBudget.MaxRequestsVariable}={budget.MaxRequests:N0}, {LiveBudget.MaxTokensVariable}={budget.MaxTokens:N0}; "
            + $"recommended with {RetryHeadroom:P0} for retries: {LiveBudget.MaxRequestsVariable}={Recommended.Requests} {LiveBudget.MaxTokensVariable}={Recommended.MaxTokens}.");
        foreach (var line in Lines.Where(l => l.SkipReason is null).OrderByDescending(l => l.Spend.Requests).Take(5))
            text.AppendLine(CultureInfo.InvariantCulture, $"  {line.Spend.Requests,5} requests  {line.Feature} › {line.Scenario}");
        return text.ToString().TrimEnd();
    }

    private static string AtMost(LiveSpend spend) => string.Create(CultureInfo.InvariantCulture, $"{spend.Requests:N0} requests, {spend.MaxTokens:N0} tokens");

    /// <summary>reports/live-plan.json: read by the living doc next to what the run spent.</summary>
    public void Write(string path, LiveBudget budget)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var document = new
        {
            total = new { requests = Total.Requests, minRequests = Total.MinRequests, maxTokens = Total.MaxTokens },
            recommended = new { requests = Recommended.Requests, maxTokens = Recommended.MaxTokens },
            budget = new { requests = budget.MaxRequests, maxTokens = budget.MaxTokens },
            byProvider = new Dictionary<string, object>
            {
                ["groq"] = new { requests = ForTag("groq").Requests, maxTokens = ForTag("groq").MaxTokens },
                ["together_ai"] = new { requests = ForTag("together_ai").Requests, maxTokens = ForTag("together_ai").MaxTokens },
            },
            filterKnown = FilterKnown,
            scenariosToRun = ScenariosToRun,
            scenariosSkipped = ScenariosSkipped,
            scenarios = Lines.Select(l => new { feature = l.Feature, scenario = l.Scenario, requests = l.Spend.Requests, maxTokens = l.Spend.MaxTokens, skipped = l.SkipReason }),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }
}
