using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Load;

/// <summary>What to run: the load, its bounds, warm-up and connection mode.</summary>
public sealed record BenchmarkRunOptions
{
    public required LoadModel Load { get; init; }

    /// <summary>Stop after this many measured requests have been started (all of them complete).</summary>
    public int? MaxRequests { get; init; }

    /// <summary>Stop starting new measured requests after this long; in-flight requests complete.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>
    /// Requests sent before measuring and excluded from results. Warm-up is always part of a run (JIT and
    /// connection set-up otherwise land in the first wave's figures); the default is the load's concurrency.
    /// </summary>
    public int? WarmupRequests { get; init; }

    public ConnectionMode ConnectionMode { get; init; } = ConnectionMode.Pooled;

    /// <summary>TCP port of the target; when given, open connections to it are sampled during the run.</summary>
    public int? ConnectionPort { get; init; }

    /// <summary>
    /// Keep the raw histograms on the result (<see cref="Results.ScenarioResult.Histograms"/>), so an interval log can be
    /// written and results merged exactly; off by default, as each scenario's histograms take about 2 MB.
    /// </summary>
    public bool KeepHistograms { get; init; }

    /// <summary>
    /// Keep one <see cref="Metrics.RequestRecord"/> per measured request on the result (<see cref="Results.ScenarioResult.Requests"/>),
    /// for the request log. Off by default: a record and its chunk times (8 B a chunk) are allocated as each request completes.
    /// </summary>
    public bool KeepRequests { get; init; }

    /// <summary>Optional scenario name for reports.</summary>
    public string? Name { get; init; }

    internal int EffectiveWarmupRequests => WarmupRequests ?? Load.MaxConcurrency;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Load, nameof(Load));
        if (MaxRequests is null && MaxDuration is null)
            throw new ArgumentException("A run needs a bound: give MaxRequests (e.g. 200) and/or MaxDuration (e.g. 10 s).", nameof(MaxRequests));
        if (MaxRequests is < 1)
            throw new ArgumentException($"MaxRequests must be at least 1 (got {MaxRequests}): give the number of measured requests, e.g. 200.", nameof(MaxRequests));
        if (MaxDuration is { } d && d <= TimeSpan.Zero)
            throw new ArgumentException($"MaxDuration must be positive (got {d}): give how long to send requests, e.g. 10 s.", nameof(MaxDuration));
        if (WarmupRequests is < 1)
            throw new ArgumentException($"WarmupRequests must be at least 1 (got {WarmupRequests}): warm-up is part of every run; leave it unset for one per concurrency slot.", nameof(WarmupRequests));
    }
}
