using System.Globalization;

namespace ProviderSpecs.Benchmarking.Load;

/// <summary>
/// How a plan is shared among <c>N</c> workers: whole quantities (requests, a budget) split so the shares sum exactly to
/// the total, the remainder going one each to the first workers; an arrival rate likewise, in thousandths of a request
/// per second; seeds of one family (the plan's seed + the worker's index).
/// </summary>
public static class WorkerShare
{
    /// <summary>Rates are shared in these steps (requests per second): 1/1000, so a rate of up to 3 decimals splits exactly.</summary>
    public const double RateResolution = 0.001;

    /// <summary>Worker <paramref name="index"/>'s share of <paramref name="total"/>: ⌊total ÷ workers⌋, plus one for the first (total mod workers) workers.</summary>
    public static long Split(long total, int workers, int index)
    {
        Check(workers, index);
        if (total < 0) throw new ArgumentOutOfRangeException(nameof(total), total, "total must not be negative.");
        return total / workers + (index < total % workers ? 1 : 0);
    }

    /// <summary>
    /// Worker <paramref name="index"/>'s share of an arrival rate, split in steps of <see cref="RateResolution"/>; throws
    /// <see cref="ArgumentException"/> for a rate with more than 3 decimals (its shares could not sum to it exactly).
    /// </summary>
    public static double SplitRate(double requestsPerSecond, int workers, int index)
    {
        Check(workers, index);
        var thousandths = Math.Round(requestsPerSecond / RateResolution);
        if (!(requestsPerSecond > 0) || !double.IsFinite(requestsPerSecond) || Math.Abs(thousandths * RateResolution - requestsPerSecond) > 1e-9 * Math.Max(1, requestsPerSecond))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"a rate shared among workers must be positive with at most 3 decimals (got {requestsPerSecond}): the workers' shares are thousandths of a request per second."),
                nameof(requestsPerSecond));
        return Split((long)thousandths, workers, index) / 1000.0;
    }

    /// <summary>Worker <paramref name="index"/>'s seed in the family of <paramref name="seedFamily"/>: its arrivals differ from every other worker's.</summary>
    public static int Seed(int seedFamily, int index) => unchecked(seedFamily + index);

    private static void Check(int workers, int index)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), workers, "workers must be at least 1.");
        if (index < 0 || index >= workers) throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be from 0 to {workers - 1}.");
    }
}
