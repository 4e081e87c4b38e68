using System.Globalization;
using System.Text.Json;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;

namespace ProviderSpecs.Benchmarking.Results;

/// <summary>Outputs that cannot be merged; the message is one line naming what differs or is missing and what to do.</summary>
public sealed class BenchmarkMergeException(string message) : Exception(message);

/// <summary>One worker's output folder, read for a merge: its results, each scenario carrying the histograms of its interval log.</summary>
public sealed record WorkerOutput(string Source, BenchmarkDocument Document)
{
    public WorkerIdentity Worker => Document.Metadata.Worker!;

    /// <summary>
    /// Reads <see cref="BenchmarkDocument.FileName"/> and <see cref="HistogramLog.FileName"/> from a folder bench wrote and
    /// rebuilds every scenario's histograms: the log's counts plus the results file's exact min, max and sum; and the
    /// scenarios' request records when the folder holds a <see cref="RequestLog.FileName"/>. Throws
    /// <see cref="BenchmarkMergeException"/> naming the folder and what is wrong.
    /// </summary>
    public static WorkerOutput Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var resultsPath = Path.Combine(directory, BenchmarkDocument.FileName);
        if (!File.Exists(resultsPath))
            throw new BenchmarkMergeException($"{directory} holds no {BenchmarkDocument.FileName}: give the folders bench wrote, one per worker (each worker's --out).");
        BenchmarkDocument document;
        try
        {
            document = BenchmarkDocument.Load(resultsPath);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException or UnauthorizedAccessException)
        {
            throw new BenchmarkMergeException($"{resultsPath} cannot be read: {e.Message}");
        }
        if (document.MergedFrom is not null)
            throw new BenchmarkMergeException($"{directory} is already a merged result: merge the workers' own output folders instead.");
        if (document.Plan is null || document.Metadata.Worker is null)
            throw new BenchmarkMergeException($"{resultsPath} records no plan or worker (it was written before bench recorded them, or not by bench): re-run that worker with this version of bench.");

        var logPath = Path.Combine(directory, HistogramLog.FileName);
        if (!File.Exists(logPath))
            throw new BenchmarkMergeException($"{directory} has no {HistogramLog.FileName} beside its results: copy the worker's whole output folder, or re-run it.");
        IReadOnlyDictionary<(int Scenario, string Metric), HdrHistogram.HistogramBase> log;
        try
        {
            log = HistogramLog.Read(logPath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new BenchmarkMergeException($"{logPath}: {e.Message}");
        }
        var extra = log.Keys.Select(k => k.Scenario).Where(s => s >= document.Scenarios.Count).DefaultIfEmpty(-1).Max();
        if (extra >= 0)
            throw new BenchmarkMergeException($"{logPath} holds histograms of scenario {extra}, but its results file has {document.Scenarios.Count} scenario(s): the two files are not of the same run.");

        // The request log is optional (bench --request-log); when one worker has it, the merge needs every worker's.
        var requestLogPath = Path.Combine(directory, RequestLog.FileName);
        IReadOnlyDictionary<int, List<RequestRecord>>? requests = null;
        if (File.Exists(requestLogPath))
        {
            try
            {
                requests = RequestLog.Read(requestLogPath, document.Scenarios.Count);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new BenchmarkMergeException($"{requestLogPath}: {e.Message}");
            }
            if (requests.Values.SelectMany(r => r).FirstOrDefault(r => r.Worker != document.Metadata.Worker.Index) is { } stray)
                throw new BenchmarkMergeException($"{requestLogPath} holds a request of worker {stray.Worker}, but its results file is worker {document.Metadata.Worker.Index}'s: the two files are not of the same run.");
        }

        var scenarios = new List<ScenarioResult>(document.Scenarios.Count);
        for (var i = 0; i < document.Scenarios.Count; i++)
        {
            var scenario = document.Scenarios[i];
            var what = $"{directory}: scenario {i} ({scenario.Provider}/{scenario.Model})";
            if (requests is not null && (requests.GetValueOrDefault(i)?.Count ?? 0) != scenario.Started)
                throw new BenchmarkMergeException($"{what}: its request log holds {requests.GetValueOrDefault(i)?.Count ?? 0} requests but its results {scenario.Started}; the files are not of the same run, or one was cut short.");
            if (scenario.Recorded is not { } recorded)
                throw new BenchmarkMergeException($"{what} has no exact recorded figures (min, max, sum): re-run that worker with this version of bench.");
            var histograms = new Dictionary<string, MetricHistogram>(StringComparer.Ordinal);
            foreach (var metric in RecordedMetrics.All)
            {
                if (!recorded.TryGetValue(metric.Key, out var stats))
                    throw new BenchmarkMergeException($"{what} has no recorded figures for {metric.Name}: re-run that worker with this version of bench.");
                if (RecordedMetrics.Of(scenario, metric).Count != stats.Count)
                    throw new BenchmarkMergeException($"{what} {metric.Name}: its distribution counts {RecordedMetrics.Of(scenario, metric).Count} samples but its recorded figures {stats.Count}; the results file was altered.");
                try
                {
                    histograms[metric.Key] = MetricHistogram.Restore(log.GetValueOrDefault((i, metric.Key)), stats, $"{what} {metric.Name}");
                }
                catch (InvalidDataException e)
                {
                    throw new BenchmarkMergeException(e.Message);
                }
            }
            scenarios.Add(scenario with { Histograms = new ScenarioHistograms(histograms), Requests = requests is null ? null : requests.GetValueOrDefault(i) ?? [] });
        }
        return new WorkerOutput(directory, document with { Scenarios = scenarios });
    }
}

/// <summary>
/// Merges the outputs of the workers of one plan into one result: every histogram is the exact sum of the workers'
/// (HdrHistogram counts add exactly, so each percentile is the one a single histogram over all requests would give);
/// min, max and mean come from the workers' exact recorded figures; counts, tokens and errors are sums; throughput is
/// over the fleet's span (first worker's measured start to the last one's end). Each scenario lists every worker's share.
/// </summary>
public static class BenchmarkMerge
{
    /// <summary>Checks the outputs are the complete set of workers of one plan, then merges them; throws <see cref="BenchmarkMergeException"/> otherwise.</summary>
    public static BenchmarkDocument Merge(IReadOnlyList<WorkerOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count == 0) throw new BenchmarkMergeException("nothing to merge: give the output folders of the workers (each worker's --out).");
        var workers = outputs.OrderBy(o => o.Worker.Index).ToList();
        CheckOnePlan(workers);

        var reference = workers[0].Document;
        var plan = reference.Plan!;
        var scenarios = new List<ScenarioResult>(reference.Scenarios.Count);
        for (var i = 0; i < reference.Scenarios.Count; i++)
            scenarios.Add(MergeScenario(workers, i, plan));

        var sweeps = reference.Sweeps
            .Select(sweep => sweep with { Points = sweep.Points.Select(p => IndexOf(reference.Scenarios, p)).Where(j => j >= 0).Select(j => scenarios[j]).ToList() })
            .ToList();
        var metadata = workers.Select(w => w.Document.Metadata).ToList();
        var labels = string.Join(", ", workers.Select(w => $"{w.Worker.Index}{(w.Worker.Label is { } l ? $" {l}" : "")}"));
        return new BenchmarkDocument
        {
            Metadata = new RunMetadata(
                reference.Metadata.Target,
                metadata.Min(m => m.StartedAt),
                Distinct(metadata.Select(m => m.Machine)),
                Distinct(metadata.Select(m => m.OperatingSystem)),
                metadata.Sum(m => m.ProcessorCount),
                Distinct(metadata.Select(m => m.Runtime)),
                Distinct(metadata.Select(m => m.FrameworkVersion)),
                plan.SeedFamily,
                $"Merged from {workers.Count} workers of one plan (index and label: {labels}). Percentiles from the exact sum of their HdrHistograms "
                + $"({HistogramLog.FileName}); min, max and mean from their exact recorded figures; counts, tokens and errors summed; throughput over the span "
                + "from the first worker's measured start to the last one's end; peak in flight, warm-up and resources summed over workers (working set: the largest worker's); "
                + "rate-limit recovery pools each worker's own episodes."),
            Scenarios = scenarios,
            Sweeps = sweeps,
            Plan = plan,
            MergedFrom = workers.Select(w => new MergedWorker(w.Worker.Index, w.Worker.Label, w.Worker.Seed, w.Document.Metadata.Machine,
                w.Document.Metadata.StartedAt, w.Source)).ToList(),
        };
    }

    private static void CheckOnePlan(List<WorkerOutput> workers)
    {
        var first = workers[0];
        var plan = first.Document.Plan!;
        string Who(WorkerOutput w) => $"{w.Source} (worker {w.Worker.Index})";
        const string Advice = "merge only the outputs of one plan: every worker runs the same bench options but --worker-index and --label";
        foreach (var w in workers)
        {
            var other = w.Document.Plan!;
            if (w.Document.SchemaVersion != first.Document.SchemaVersion)
                throw new BenchmarkMergeException($"{Who(w)} has schemaVersion {w.Document.SchemaVersion} but {Who(first)} {first.Document.SchemaVersion}: re-run the workers with one version of bench.");
            if (other.Workers != plan.Workers)
                throw new BenchmarkMergeException($"the workers ran different plans: {Who(w)} is one of --workers {other.Workers} but {Who(first)} one of --workers {plan.Workers}; {Advice}.");
            if (other.SeedFamily != plan.SeedFamily)
                throw new BenchmarkMergeException($"the workers ran different plans: {Who(w)} is of seed family {Show(other.SeedFamily)} but {Who(first)} of {Show(plan.SeedFamily)} (--seed); {Advice}.");
            foreach (var key in plan.Settings.Keys.Union(other.Settings.Keys).Order(StringComparer.Ordinal))
            {
                var mine = plan.Settings.GetValueOrDefault(key);
                var theirs = other.Settings.GetValueOrDefault(key);
                if (mine != theirs)
                    throw new BenchmarkMergeException($"the workers ran different plans: {Who(w)} ran {key} {theirs ?? "(not set)"} but {Who(first)} ran {key} {mine ?? "(not set)"}; {Advice}.");
            }
            if (w.Document.Metadata.Target != first.Document.Metadata.Target)
                throw new BenchmarkMergeException($"the workers ran different plans: {Who(w)} measured the {w.Document.Metadata.Target} target but {Who(first)} the {first.Document.Metadata.Target} one; {Advice}.");
            if (w.Worker.Count != plan.Workers || w.Worker.Index < 0 || w.Worker.Index >= plan.Workers)
                throw new BenchmarkMergeException($"{w.Source} says it is worker {w.Worker.Index} of {w.Worker.Count}, which its plan of {plan.Workers} workers has not: re-run it.");
            if (plan.SeedFamily is { } family && w.Worker.Seed != WorkerShare.Seed(family, w.Worker.Index))
                throw new BenchmarkMergeException($"{Who(w)} ran with seed {Show(w.Worker.Seed)}, not its seed of family {family} ({WorkerShare.Seed(family, w.Worker.Index)}): re-run it with --seed {family}.");
            CheckScenarios(first, w, Advice);
        }

        var withLog = workers.Where(w => w.Document.Scenarios.Any(s => s.Requests is not null)).ToList();
        if (withLog.Count > 0 && withLog.Count < workers.Count)
        {
            var without = workers.Except(withLog).First();
            throw new BenchmarkMergeException($"{Who(withLog[0])} wrote a {RequestLog.FileName} but {Who(without)} did not: copy that worker's whole output folder, or delete the request logs to merge without them.");
        }

        var duplicate = workers.GroupBy(w => w.Worker.Index).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new BenchmarkMergeException($"worker {duplicate.Key} of {plan.Workers} appears more than once ({string.Join(" and ", duplicate.Select(w => w.Source))}): give each worker's output folder once.");
        var missing = Enumerable.Range(0, plan.Workers).Except(workers.Select(w => w.Worker.Index)).ToList();
        if (missing.Count > 0)
            throw new BenchmarkMergeException($"{(missing.Count == 1 ? "worker" : "workers")} {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", …" : "")} of {plan.Workers} {(missing.Count == 1 ? "is" : "are")} missing: give every worker's output folder (a merge of some workers would not be the plan's result).");
    }

    private static void CheckScenarios(WorkerOutput first, WorkerOutput w, string advice)
    {
        var mine = first.Document.Scenarios;
        var theirs = w.Document.Scenarios;
        if (mine.Count != theirs.Count)
            throw new BenchmarkMergeException($"the workers ran different plans: {w.Source} (worker {w.Worker.Index}) holds {theirs.Count} scenario(s) but {first.Source} (worker {first.Worker.Index}) {mine.Count}; {advice}.");
        for (var i = 0; i < mine.Count; i++)
        {
            if (Shape(mine[i]) is var a && Shape(theirs[i]) is var b && a != b)
                throw new BenchmarkMergeException($"the workers ran different plans: scenario {i} of {w.Source} (worker {w.Worker.Index}) is {b} but of {first.Source} (worker {first.Worker.Index}) {a}; {advice}.");
        }
    }

    /// <summary>What must be equal in every worker's scenario of the same index (the load's level and seed are each worker's share).</summary>
    private static string Shape(ScenarioResult s) =>
        $"{s.Provider}/{s.Model} {s.Load.Kind}{(s.Load.Arrival is { } a ? $" {a}" : "")}, {s.ConnectionMode}{(s.Name is { } n ? $", {n}" : "")}{(s.Conditions.Count > 0 ? $", conditions {string.Join("; ", s.Conditions)}" : "")}";

    private static ScenarioResult MergeScenario(List<WorkerOutput> workers, int index, BenchmarkPlan plan)
    {
        var parts = workers.Select(w => (Worker: w, Result: w.Document.Scenarios[index])).ToList();
        var template = parts[0].Result;
        var histograms = new ScenarioHistograms();
        foreach (var (_, result) in parts) histograms.Add(result.Histograms!);

        var starts = parts.Select(p => p.Result.StartedAt ?? p.Worker.Document.Metadata.StartedAt).ToList();
        var start = starts.Min();
        var end = parts.Select((p, i) => starts[i] + TimeSpan.FromSeconds(p.Result.ElapsedSeconds)).Max();
        var seconds = Math.Max((end - start).TotalSeconds, 1e-9);

        var started = parts.Sum(p => p.Result.Started);
        var succeeded = parts.Sum(p => p.Result.Succeeded);
        var failed = parts.Sum(p => p.Result.Failed);
        var outputTokens = parts.Sum(p => p.Result.OutputTokens);
        var errors = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, count) in parts.SelectMany(p => p.Result.ErrorsByKey)) errors[key] = errors.GetValueOrDefault(key) + count;
        var retryAfters = parts.Select(p => p.Result.MaxRetryAfterSeconds).OfType<double>().ToList();
        var resources = parts.Select(p => p.Result.Resources).ToList();
        var allocated = resources.Sum(r => r.AllocatedBytes);
        var connections = resources.Select(r => r.PeakOpenConnections).OfType<int>().ToList();

        var merged = template with
        {
            Load = MergeLoad(parts.Select(p => p.Result.Load).ToList(), plan),
            WarmupRequests = parts.Sum(p => p.Result.WarmupRequests),
            WarmupFailures = parts.Sum(p => p.Result.WarmupFailures),
            // Each worker spread its own loops; the fleet's took as long as the slowest worker's.
            StartSpreadSeconds = parts.Max(p => p.Result.StartSpreadSeconds),
            StoppedBy = string.Join(" and ", parts.Select(p => p.Result.StoppedBy).Distinct(StringComparer.Ordinal)),
            Started = started,
            Succeeded = succeeded,
            Failed = failed,
            ElapsedSeconds = (end - start).TotalSeconds,
            PeakInFlight = parts.Sum(p => p.Result.PeakInFlight),
            OutputTokens = outputTokens,
            // With no success the fleet measured no rate: null, never 0.
            RequestsPerSecond = new Rate(succeeded == 0 ? null : succeeded / seconds, "req/s", MetricDefinitions.FleetRequestsPerSecond),
            ScheduledRequestsPerSecond = parts.All(p => p.Result.ScheduledRequestsPerSecond?.Value is not null)
                ? new Rate(parts.Sum(p => p.Result.ScheduledRequestsPerSecond!.Value!.Value), "req/s", MetricDefinitions.FleetScheduledRequestsPerSecond)
                : null,
            OutputTokensPerSecond = new Rate(succeeded == 0 ? null : outputTokens / seconds, "tok/s", MetricDefinitions.FleetOutputTokensPerSecond),
            ErrorRate = new Rate(started == 0 ? null : (double)failed / started, "ratio", MetricDefinitions.ErrorRate),
            ErrorsByKey = errors,
            RateLimitedResponses = parts.Sum(p => p.Result.RateLimitedResponses),
            MaxRetryAfterSeconds = retryAfters.Count == 0 ? null : retryAfters.Max(),
            Resources = new ResourceUsage
            {
                DurationSeconds = (end - start).TotalSeconds,
                AllocatedBytes = allocated,
                AllocatedBytesPerRequest = started == 0 ? 0 : (double)allocated / started,
                Gen0Collections = resources.Sum(r => r.Gen0Collections),
                Gen1Collections = resources.Sum(r => r.Gen1Collections),
                Gen2Collections = resources.Sum(r => r.Gen2Collections),
                WorkingSetStartBytes = resources.Max(r => r.WorkingSetStartBytes),
                WorkingSetPeakBytes = resources.Max(r => r.WorkingSetPeakBytes),
                PeakOpenConnections = connections.Count == 0 ? null : connections.Sum(),
                // Summed over workers; null when any worker's result predates the figure (a partial sum would read as the fleet's).
                CpuSeconds = resources.All(r => r.CpuSeconds is not null) ? resources.Sum(r => r.CpuSeconds!.Value) : null,
                GcPauseSeconds = resources.All(r => r.GcPauseSeconds is not null) ? resources.Sum(r => r.GcPauseSeconds!.Value) : null,
                InlineSocketCompletions = resources.Select(r => r.InlineSocketCompletions).Distinct().Count() == 1 ? resources[0].InlineSocketCompletions : null,
                ProcessorCount = resources.All(r => r.ProcessorCount is not null) ? resources.Sum(r => r.ProcessorCount!.Value) : null,
            },
            StartedAt = start,
            // Each worker's records, their start times moved from its own measured start to the fleet's (by the workers' clocks).
            Requests = parts.All(p => p.Result.Requests is not null)
                ? [.. parts.SelectMany((p, i) => p.Result.Requests!.Select(r => r with { StartSeconds = Math.Round(r.StartSeconds + (starts[i] - start).TotalSeconds, 6) }))]
                : null,
            Workers = parts.Select(p => new WorkerFigures(p.Worker.Worker.Index, p.Worker.Worker.Label, p.Worker.Document.Metadata.Machine,
                p.Result.Started, p.Result.Succeeded, p.Result.Failed, p.Result.ElapsedSeconds, p.Result.RequestsPerSecond.Value,
                p.Result.Ttft.TryValueOf(Percentile.P50), p.Result.Ttft.TryValueOf(Percentile.P95), p.Result.Ttft.TryValueOf(Percentile.P99),
                p.Result.EndToEnd.TryValueOf(Percentile.P50), p.Result.EndToEnd.TryValueOf(Percentile.P95))).ToList(),
        };
        return histograms.ApplyTo(merged);
    }

    /// <summary>The fleet's load: closed loop, every worker's concurrency together; open loop, the workers' rates together (the plan's rate).</summary>
    private static LoadDescription MergeLoad(List<LoadDescription> loads, BenchmarkPlan plan)
    {
        var first = loads[0];
        if (loads.Count == 1) return first;
        var inFlight = loads.Sum(l => l.MaxConcurrency);
        if (first.Arrival is null)
        {
            var concurrency = loads.Select(l => l.Level).Distinct().Count() == 1
                ? F($"c={first.Level:0.##} on each of {loads.Count} workers") : F($"c={string.Join("+", loads.Select(l => l.Level.ToString("0.##", CultureInfo.InvariantCulture)))} on {loads.Count} workers");
            return new LoadDescription(first.Kind, F($"{first.Kind} {concurrency} ({inFlight} in flight)"), loads.Sum(l => l.Level), inFlight, null, null);
        }
        // Rates are shared in thousandths, so their sum is the plan's rate; rounding removes the doubles' drift.
        var rate = Math.Round(loads.Sum(l => l.Level) * 1000) / 1000;
        var caps = loads.Select(l => l.MaxConcurrency).Distinct().Count() == 1 ? F($"cap {first.MaxConcurrency} each") : F($"caps {string.Join("+", loads.Select(l => l.MaxConcurrency))}");
        var seeds = plan.SeedFamily is { } f ? F($", seeds {f}–{f + loads.Count - 1}") : "";
        return new LoadDescription(first.Kind, F($"{first.Arrival} {rate:0.###} req/s over {loads.Count} workers ({caps}{seeds})"), rate, inFlight, first.Arrival, plan.SeedFamily);
    }

    private static int IndexOf(IReadOnlyList<ScenarioResult> scenarios, ScenarioResult point)
    {
        for (var i = 0; i < scenarios.Count; i++)
            if (scenarios[i].Provider == point.Provider && scenarios[i].Model == point.Model && scenarios[i].Load == point.Load && scenarios[i].Name == point.Name) return i;
        return -1;
    }

    private static string Distinct(IEnumerable<string> values) => string.Join(", ", values.Distinct(StringComparer.Ordinal));

    private static string Show(int? seed) => seed?.ToString(CultureInfo.InvariantCulture) ?? "(none)";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
