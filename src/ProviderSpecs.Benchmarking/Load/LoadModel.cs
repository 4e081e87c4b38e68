using System.Globalization;

namespace ProviderSpecs.Benchmarking.Load;

/// <summary>How requests are offered to the target.</summary>
public abstract record LoadModel
{
    /// <summary>Upper bound on requests in flight at once.</summary>
    public abstract int MaxConcurrency { get; }

    /// <summary>Short label, e.g. "closed-loop c=16" or "poisson 20 req/s (cap 64)".</summary>
    public abstract string Describe();

    /// <summary>The swept value of this load (concurrency for closed loop, rate for open loop).</summary>
    public abstract double LoadLevel { get; }

    internal static void RequirePositive(int value, string name, string whatToGive)
    {
        if (value < 1)
            throw new ArgumentException($"{name} must be at least 1 (got {value}): give {whatToGive}.", name);
    }
}

/// <summary>Closed loop (llmperf, GuideLLM "concurrent"): a fixed number of requests kept in flight, each sent as the previous one finishes.</summary>
public sealed record ClosedLoopLoad : LoadModel
{
    public ClosedLoopLoad(int concurrency)
    {
        RequirePositive(concurrency, "concurrency", "the number of requests to keep in flight, e.g. 8");
        Concurrency = concurrency;
    }

    public int Concurrency { get; }
    public override int MaxConcurrency => Concurrency;
    public override double LoadLevel => Concurrency;
    public override string Describe() => $"closed-loop c={Concurrency}";
}

/// <summary>Arrival process of an open-loop load.</summary>
public enum ArrivalProcess
{
    /// <summary>Evenly spaced arrivals (GuideLLM/GenAI-Perf "constant").</summary>
    Constant,

    /// <summary>Exponential inter-arrival times from a seeded RNG (vLLM --request-rate, GuideLLM "poisson").</summary>
    Poisson,
}

/// <summary>
/// Open loop (vLLM benchmark_serving): requests arrive at a rate regardless of completions; at most
/// <see cref="MaxConcurrency"/> are in flight (an arrival waits for a free slot, as vLLM's --max-concurrency).
/// </summary>
public sealed record OpenLoopLoad : LoadModel
{
    public OpenLoopLoad(double requestsPerSecond, ArrivalProcess arrival, int maxConcurrency, int seed = 1)
    {
        if (!(requestsPerSecond > 0) || double.IsInfinity(requestsPerSecond))
            throw new ArgumentException(
                $"requestsPerSecond must be a positive finite rate (got {requestsPerSecond.ToString(CultureInfo.InvariantCulture)}): give the arrival rate in requests per second, e.g. 10.",
                nameof(requestsPerSecond));
        RequirePositive(maxConcurrency, nameof(maxConcurrency), "the cap on requests in flight, e.g. 64");
        RequestsPerSecond = requestsPerSecond;
        Arrival = arrival;
        Cap = maxConcurrency;
        Seed = seed;
    }

    public double RequestsPerSecond { get; }
    public ArrivalProcess Arrival { get; }
    public int Seed { get; }
    private int Cap { get; }
    public override int MaxConcurrency => Cap;
    public override double LoadLevel => RequestsPerSecond;

    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{Arrival.ToString().ToLowerInvariant()} {RequestsPerSecond:0.##} req/s (cap {Cap}, seed {Seed})");

    /// <summary>A fresh, deterministic schedule of arrival offsets from the start of the run.</summary>
    public ArrivalSchedule CreateSchedule() => new(RequestsPerSecond, Arrival, Seed);
}

/// <summary>Generates arrival offsets (seconds since run start) one at a time; deterministic for a seed.</summary>
public sealed class ArrivalSchedule(double requestsPerSecond, ArrivalProcess arrival, int seed)
{
    private readonly Random _random = new(seed);
    private long _index;
    private double _poissonOffset;

    /// <summary>Offset in seconds of the next arrival.</summary>
    public double NextOffsetSeconds()
    {
        if (arrival == ArrivalProcess.Constant) return _index++ / requestsPerSecond;
        // Exponential inter-arrival times; 1 − U keeps the logarithm's argument in (0, 1].
        _poissonOffset += -Math.Log(1.0 - _random.NextDouble()) / requestsPerSecond;
        _index++;
        return _poissonOffset;
    }
}

/// <summary>Helpers for sweeps (GenAI-Perf style concurrency sweeps, or rate sweeps).</summary>
public static class LoadSweep
{
    /// <summary>Closed-loop points at each concurrency, e.g. <c>Concurrency(1, 5, 25, 50)</c>.</summary>
    public static IReadOnlyList<LoadModel> Concurrency(params int[] concurrencies)
    {
        if (concurrencies.Length == 0)
            throw new ArgumentException("concurrencies must not be empty: give at least one concurrency, e.g. 1, 4, 16.", nameof(concurrencies));
        return concurrencies.Select(c => (LoadModel)new ClosedLoopLoad(c)).ToArray();
    }

    /// <summary>Open-loop points at each rate with the same arrival process, cap and seed.</summary>
    public static IReadOnlyList<LoadModel> Rates(ArrivalProcess arrival, int maxConcurrency, int seed, params double[] requestsPerSecond)
    {
        if (requestsPerSecond.Length == 0)
            throw new ArgumentException("requestsPerSecond must not be empty: give at least one rate, e.g. 5, 10, 20.", nameof(requestsPerSecond));
        return requestsPerSecond.Select(r => (LoadModel)new OpenLoopLoad(r, arrival, maxConcurrency, seed)).ToArray();
    }
}
