using System.Globalization;
using System.Reflection;
using ProviderSpecs.Drivers.Targets;

namespace ProviderSpecs.Drivers.LivePlan;

/// <summary>
/// What a step may spend of the live budget: at most <see cref="Requests"/> requests (at least <see cref="MinRequests"/>:
/// some are sent only on a given outcome) and the output tokens they may reserve.
/// </summary>
public readonly record struct LiveSpend(long Requests, long MaxTokens, long MinRequests)
{
    public static LiveSpend None => default;

    /// <summary><paramref name="requests"/> requests, each reserving up to <paramref name="maxTokensPerRequest"/> output tokens.</summary>
    public static LiveSpend Of(long requests, long maxTokensPerRequest) => new(requests, requests * maxTokensPerRequest, requests);

    /// <summary>Up to <paramref name="requests"/> requests that reserve no tokens and are sent only on some outcome (e.g. a catalog read after model-not-found).</summary>
    public static LiveSpend ReadsOnlyIf(long requests) => new(requests, 0, 0);

    public static LiveSpend operator +(LiveSpend a, LiveSpend b) => new(a.Requests + b.Requests, a.MaxTokens + b.MaxTokens, a.MinRequests + b.MinRequests);

    public override string ToString() => MinRequests == Requests
        ? string.Create(CultureInfo.InvariantCulture, $"{Requests:N0} requests, {MaxTokens:N0} tokens")
        : string.Create(CultureInfo.InvariantCulture, $"{MinRequests:N0}–{Requests:N0} requests, {MaxTokens:N0} tokens");
}

/// <summary>
/// Declared on a step definition that sends requests to a provider: what one execution of the step spends of the live
/// budget, so a live run can state and check its spend before sending anything. A step without it sends nothing.
/// Either a fixed figure (<see cref="Requests"/> and <see cref="MaxTokensPerRequest"/>; a catalog read reserves no
/// tokens), or the name of a static method of the step class, <c>LiveSpend Name(StepSpendQuery step)</c>, for a spend that
/// depends on the step's arguments. On the simulated target the same figures are checked after every scenario
/// (a scenario that sends more or fewer requests than its steps declare fails), so a declaration cannot drift.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LiveSpendAttribute : Attribute
{
    public LiveSpendAttribute() { }

    public LiveSpendAttribute(string planMethod) => PlanMethod = planMethod;

    /// <summary>Completions the step sends, each reserving <see cref="MaxTokensPerRequest"/>.</summary>
    public int Requests { get; init; }
    public int MaxTokensPerRequest { get; init; }

    /// <summary>Requests that generate nothing (a model list, a fine-tuning list): they reserve no tokens.</summary>
    public int Reads { get; init; }
    public string? PlanMethod { get; }

    /// <summary>What one execution of <paramref name="method"/> (carrying this attribute) spends for the given step.</summary>
    public LiveSpend SpendOf(MethodInfo method, StepSpendQuery step)
    {
        if (PlanMethod is null) return LiveSpend.Of(Requests, MaxTokensPerRequest) + LiveSpend.Of(Reads, 0);
        var plan = method.DeclaringType?.GetMethod(PlanMethod, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(StepSpendQuery)])
            ?? throw new InvalidOperationException(
                $"[LiveSpend(\"{PlanMethod}\")] on {method.DeclaringType?.Name}.{method.Name} names no method 'static LiveSpend {PlanMethod}(StepSpendQuery step)' of {method.DeclaringType?.Name}.");
        return (LiveSpend)plan.Invoke(null, [step])!;
    }
}

/// <summary>
/// A step as a spend plan sees it: its arguments as written, its table's rows, the target it will run on, and what the
/// scenario's earlier steps noted for later ones (<see cref="Scenario"/>, e.g. a token limit a Given step sets for the
/// completion a When step sends), mirroring the state drivers keep between steps.
/// </summary>
public sealed record StepSpendQuery(IReadOnlyList<string> Arguments, int TableRows, TargetKind Target, IDictionary<string, object> Scenario)
{
    public int Int(int index) => int.Parse(Arguments[index], NumberStyles.Integer, CultureInfo.InvariantCulture);
    public string Text(int index) => Arguments[index];
}
