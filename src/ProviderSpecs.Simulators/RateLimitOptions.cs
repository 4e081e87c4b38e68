using System.Globalization;

namespace ProviderSpecs.Simulators;

/// <summary>Which published limits a simulator enforces on top of any explicit ones.</summary>
public enum RateLimitPlan
{
    /// <summary>No published limits (the default): only explicit windows are enforced, and none when there are none.</summary>
    None,
    /// <summary>The providers' free plans, per model, from the catalog fixtures' <c>freePlan</c> blocks.</summary>
    FreePlan,
}

/// <summary>
/// What a simulator enforces: a plan (<see cref="RateLimitPlan.FreePlan"/>: each model's published free-plan limits)
/// and explicit limits that apply to every model of the provider, replacing the plan's value for that window.
/// <see cref="None"/> (the default) enforces nothing: the rate-limit headers then report the catalog's numbers, as before.
/// Each scope (API key) is its own account; each (account, model, window) has its own exact sliding window.
/// </summary>
public sealed record RateLimitOptions
{
    public static RateLimitOptions None { get; } = new();

    public static RateLimitOptions FreePlan { get; } = new() { Plan = RateLimitPlan.FreePlan };

    public RateLimitPlan Plan { get; init; }

    /// <summary>Explicit limits for every model, e.g. <c>{RequestsPerMinute: 5}</c>.</summary>
    public IReadOnlyDictionary<RateLimitWindow, int> Limits { get; init; } = new Dictionary<RateLimitWindow, int>();

    /// <summary>True when anything is enforced.</summary>
    public bool Enforced => Plan != RateLimitPlan.None || Limits.Count > 0;

    /// <summary>A copy with one explicit limit set.</summary>
    public RateLimitOptions With(RateLimitWindow window, int limit) =>
        this with { Limits = new Dictionary<RateLimitWindow, int>(Limits) { [window] = limit } };

    /// <summary>The limit of one window for a model with the given free-plan values; null when that window is not enforced.</summary>
    public int? LimitFor(RateLimitWindow window, IReadOnlyDictionary<RateLimitWindow, int>? freePlan) =>
        Limits.TryGetValue(window, out var limit) ? limit
        : Plan == RateLimitPlan.FreePlan && freePlan is not null && freePlan.TryGetValue(window, out var published) ? published
        : null;

    /// <summary>Throws when a limit is below 1 or belongs to the other provider's windows.</summary>
    public void Validate(string providerId)
    {
        var windows = RateLimitWindows.Of(providerId);
        foreach (var (window, limit) in Limits)
        {
            if (!windows.Contains(window))
                throw new ArgumentException(
                    $"{providerId} has no '{RateLimitWindows.ShortName(window)}' window; its windows are {string.Join(", ", windows.Select(RateLimitWindows.ShortName))}.");
            if (limit < 1)
                throw new ArgumentException($"The '{RateLimitWindows.ShortName(window)}' limit must be at least 1; got {limit}.");
        }
    }

    /// <summary>E.g. <c>free-plan, rpm 5</c>, or <c>none</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Plan != RateLimitPlan.None || Limits.Count == 0) parts.Add(RateLimitWindows.PlanName(Plan));
        parts.AddRange(Limits.OrderBy(l => l.Key).Select(l => string.Create(CultureInfo.InvariantCulture, $"{RateLimitWindows.ShortName(l.Key)} {l.Value}")));
        return string.Join(", ", parts);
    }
}
