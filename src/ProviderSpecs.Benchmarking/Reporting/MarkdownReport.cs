using System.Globalization;
using System.Text;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Results;

namespace ProviderSpecs.Benchmarking.Reporting;

/// <summary>Markdown report of a <see cref="BenchmarkDocument"/>: comparison, per-scenario percentiles, sweeps, definitions.</summary>
public static class MarkdownReport
{
    public const string FileName = "benchmark-report.md";

    public static string Render(BenchmarkDocument document, IReadOnlyList<string>? chartFiles = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var md = new StringBuilder();
        var m = document.Metadata;
        md.AppendLine("# Benchmark report").AppendLine();
        md.AppendLine("| Run | |").AppendLine("|---|---|");
        md.AppendLine(F($"| Target | {m.Target} |"));
        md.AppendLine(F($"| Started | {m.StartedAt:yyyy-MM-dd HH:mm:ss} UTC |"));
        md.AppendLine(F($"| Machine | {Cell(m.Machine)} ({m.ProcessorCount} CPUs, {Cell(m.OperatingSystem)}) |"));
        md.AppendLine(F($"| Runtime | {Cell(m.Runtime)}; framework {Cell(m.FrameworkVersion)} |"));
        md.AppendLine(F($"| Seed | {(m.Seed?.ToString(CultureInfo.InvariantCulture) ?? "—")} |"));
        md.AppendLine(F($"| Schema version | {document.SchemaVersion} |"));
        if (m.Worker is { Count: > 1 } worker)
            md.AppendLine(F($"| Worker | {worker.Index} of {worker.Count} (indices from 0){(worker.Label is { } label ? $", {Cell(label)}" : "")}: its share of the plan; `providerspecs bench merge` combines the workers |"));
        if (document.MergedFrom is { } merged)
            md.AppendLine(F($"| Merged from | {merged.Count} workers: {Cell(string.Join("; ", merged.Select(w => $"{w.Index}{(w.Label is { } l ? $" {l}" : "")} ({w.Machine})")))} |"));
        if (!string.IsNullOrWhiteSpace(m.Notes)) md.AppendLine(F($"| Notes | {Cell(m.Notes)} |"));
        md.AppendLine();

        if (document.Scenarios.Count > 0)
        {
            md.AppendLine("## Provider comparison").AppendLine();
            md.AppendLine("Latencies in ms (llmperf/vLLM TTFT, vLLM TPOT, end-to-end); throughput over the measured wall time; error rate as llmperf.").AppendLine();
            md.AppendLine("| Provider | Model | Load | Requests | Error rate | req/s | output tok/s | TTFT p50 | TTFT p95 | TTFT p99 | TPOT p50 | E2E p95 |");
            md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var s in document.Scenarios)
                md.AppendLine(F($"| {Cell(s.Provider)} | {Cell(s.Model)} | {Cell(s.Load.Description)} | {s.Started} | {P(s.ErrorRate)} | {R(s.RequestsPerSecond)} | {R(s.OutputTokensPerSecond)} | {N(s.Ttft.P50)} | {N(s.Ttft.P95)} | {N(s.Ttft.P99)} | {N(s.Tpot.P50)} | {N(s.EndToEnd.P95)} |"));
            var unmeasured = document.Scenarios.Where(s => s.NotMeasuredReason() is not null).ToList();
            if (unmeasured.Count > 0) md.AppendLine();
            foreach (var s in unmeasured)
                md.AppendLine(F($"— {Cell(s.Provider)} / {Cell(s.Model)} ({Cell(s.Load.Description)}): {Cell(s.NotMeasuredReason()!)}."));
            md.AppendLine();
            foreach (var s in document.Scenarios) AppendScenario(md, s);
        }

        foreach (var sweep in document.Sweeps)
        {
            md.AppendLine(F($"## Sweep: {Cell(sweep.Provider)} / {Cell(sweep.Model)} over {sweep.Parameter}")).AppendLine();
            md.AppendLine(F($"| {sweep.Parameter} | Requests | Error rate | req/s | output tok/s | TTFT p50 (ms) | TTFT p95 (ms) | E2E p95 (ms) |"));
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var p in sweep.Points)
                md.AppendLine(F($"| {p.Load.Level:0.##} | {p.Started} | {P(p.ErrorRate)} | {R(p.RequestsPerSecond)} | {R(p.OutputTokensPerSecond)} | {N(p.Ttft.P50)} | {N(p.Ttft.P95)} | {N(p.EndToEnd.P95)} |"));
            md.AppendLine();
        }

        if (chartFiles is { Count: > 0 })
        {
            md.AppendLine("## Charts").AppendLine();
            foreach (var chart in chartFiles) md.AppendLine(F($"![{Path.GetFileNameWithoutExtension(chart)}]({Path.GetFileName(chart)})")).AppendLine();
        }

        md.AppendLine("## Metric definitions").AppendLine();
        foreach (var definition in document.MergedFrom is null ? Definitions : [.. Definitions, .. MergedDefinitions]) md.AppendLine(F($"- {definition}"));
        return md.ToString();
    }

    /// <summary>Every definition a report can use, listed at its end.</summary>
    public static readonly IReadOnlyList<string> Definitions =
    [
        MetricDefinitions.Ttft, MetricDefinitions.Tpot, MetricDefinitions.InterTokenLatency, MetricDefinitions.EndToEnd,
        MetricDefinitions.OutputTokensPerSecondPerRequest, MetricDefinitions.QueueTime, MetricDefinitions.Attempts,
        MetricDefinitions.RateLimitRecovery, MetricDefinitions.RequestsPerSecond, MetricDefinitions.OutputTokensPerSecond,
        MetricDefinitions.ScheduledRequestsPerSecond, MetricDefinitions.ErrorRate, MetricDefinitions.StatisticsOverSuccesses,
    ];

    /// <summary>What a merged report adds to <see cref="Definitions"/>.</summary>
    public static readonly IReadOnlyList<string> MergedDefinitions =
    [
        MetricDefinitions.FleetRequestsPerSecond, MetricDefinitions.FleetOutputTokensPerSecond, MetricDefinitions.FleetScheduledRequestsPerSecond,
        "merged percentiles: the exact sum of every worker's HdrHistogram (the percentiles one histogram over all requests gives); min, max and mean from the workers' exact recorded figures",
    ];

    private static string StartSpread(ScenarioResult s) => s.StartSpreadSeconds switch
    {
        null => "",
        0 => "; loops started together (no warm-up request succeeded to time)",
        var seconds => F($"; loops started over {seconds * 1000:0.#} ms, spread as a closed loop runs"),
    };

    private static void AppendScenario(StringBuilder md, ScenarioResult s)
    {
        md.AppendLine(F($"## {Cell(s.Provider)} / {Cell(s.Model)} — {Cell(s.Load.Description)}{(s.Name is null ? "" : $" ({Cell(s.Name)})")}")).AppendLine();
        if (s.Conditions.Count > 0)
            md.AppendLine(F($"**Imposed on purpose:** {Cell(string.Join("; ", s.Conditions))} — not a measurement of the provider as it is.")).AppendLine();
        md.AppendLine(F($"{s.Started} measured requests ({s.Succeeded} succeeded, {s.Failed} failed) in {s.ElapsedSeconds:0.00} s after {s.WarmupRequests} warm-up requests ({s.WarmupFailures} failed); connections: {s.ConnectionMode}; stopped by {s.StoppedBy}; peak in flight {s.PeakInFlight}{StartSpread(s)}.")).AppendLine();
        if (s.NotMeasuredReason() is { } reason) md.AppendLine(F($"**{Cell(reason)}** — every figure below is \"—\".")).AppendLine();
        md.AppendLine("| Metric | Unit | n | p50 | p90 | p95 | p99 | p99.9 | mean | min | max | Definition |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var d in RecordedMetrics.All.Select(metric => RecordedMetrics.Of(s, metric)).Where(d => d.Count > 0 || d == s.Ttft || d == s.EndToEnd))
            md.AppendLine(F($"| {d.Metric} | {d.Unit} | {d.Count} | {N(d.P50)} | {N(d.P90)} | {N(d.P95)} | {N(d.P99)} | {N(d.P999)} | {N(d.Mean)} | {N(d.Min)} | {N(d.Max)} | {Cell(d.Definition)} |"));
        md.AppendLine();
        if (s.Workers is { Count: > 0 } workers)
        {
            md.AppendLine("Per worker (each its own share; latencies in ms):").AppendLine();
            md.AppendLine("| Worker | Label | Machine | Requests (ok / started) | req/s | TTFT p50 | TTFT p95 | TTFT p99 | E2E p50 | E2E p95 |");
            md.AppendLine("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var w in workers)
                md.AppendLine(F($"| {w.Index} | {Cell(w.Label ?? "—")} | {Cell(w.Machine)} | {w.Succeeded} / {w.Started} | {R(w.RequestsPerSecond)} | {N(w.TtftP50)} | {N(w.TtftP95)} | {N(w.TtftP99)} | {N(w.EndToEndP50)} | {N(w.EndToEndP95)} |"));
            md.AppendLine();
        }
        md.AppendLine(F($"- Throughput: {R(s.RequestsPerSecond)} req/s, {R(s.OutputTokensPerSecond)} output tok/s ({s.OutputTokens} tokens)."));
        if (s.ScheduledRequestsPerSecond?.Value is { } scheduled)
            md.AppendLine(F($"- Offered: the schedule sent its arrivals at {scheduled:0.##} req/s (nominal {s.Load.Level:0.###}; a Poisson schedule's rate is a draw around it, set by --seed)."));
        md.AppendLine(F($"- Errors: {(s.ErrorsByKey.Count == 0 ? "none" : string.Join(", ", s.ErrorsByKey.Select(e => $"{e.Key} × {e.Value}")))}; error rate {P(s.ErrorRate)}."));
        md.AppendLine(F($"- Rate limits: {s.RateLimitedResponses} × 429{(s.MaxRetryAfterSeconds is { } ra ? $", longest Retry-After {ra:0.###} s" : "")}{(s.RateLimitRecovery.IsEmpty ? "" : $", recovery p50 {N(s.RateLimitRecovery.P50)} ms / max {N(s.RateLimitRecovery.Max)} ms")}."));
        var r = s.Resources;
        md.AppendLine(F($"- Resources (whole process): {r.AllocatedBytes / 1024.0 / 1024.0:0.0} MiB allocated ({r.AllocatedBytesPerRequest:0} B/request); GC gen0/1/2 {r.Gen0Collections}/{r.Gen1Collections}/{r.Gen2Collections}; working set {r.WorkingSetStartBytes / 1048576.0:0} → peak {r.WorkingSetPeakBytes / 1048576.0:0} MiB; open connections peak {(r.PeakOpenConnections?.ToString(CultureInfo.InvariantCulture) ?? "not measured")}."));
        if (ClientLine(r) is { } client) md.AppendLine("- " + client);
        if (ClientBoundWarning(r) is { } warning) md.AppendLine().AppendLine("> " + warning);
        if (LateSendWarning(s) is { } late) md.AppendLine().AppendLine("> " + late);
        md.AppendLine();
    }

    /// <summary>The client's CPU, GC pauses and socket mode, or null when the result predates them.</summary>
    public static string? ClientLine(ResourceUsage r) => r.CpuSeconds is not { } cpu ? null : F(
        $"Client: {cpu:0.0} s CPU{(r.ClientProcessorShare is { } share ? F($" ({share:0%} of {r.ProcessorCount} processors)") : "")}; GC pauses {(r.GcPauseSeconds is { } pause ? F($"{pause * 1000:0} ms ({pause * 1000 / Math.Max(r.DurationSeconds, 1e-9):0.0} ms/s)") : "not measured")}; {InlineSocketCompletions.Describe(r.InlineSocketCompletions)}.");

    /// <summary>A warning when the client itself was CPU-bound (its latencies include its own queueing), else null.</summary>
    public static string? ClientBoundWarning(ResourceUsage r) => r.ClientProcessorShare is { } share && share >= ResourceUsage.ClientBoundShare
        ? F($"The client was CPU-bound: it kept {share:0%} of the machine's {r.ProcessorCount} processors busy, so chunks waited for a processor before they were timed and these latencies include the client's own queueing. Lower the concurrency, or split the load over machines (bench --workers).")
        : null;

    /// <summary>From this p99 send lateness on, an open loop's report says it fell behind its schedule.</summary>
    public static readonly TimeSpan LateSendThreshold = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// A warning when an open loop sent 1 % or more of its requests later than <see cref="LateSendThreshold"/> after their
    /// scheduled arrival (its slots were all busy, or the client was): it offered less than its rate, and its latencies,
    /// timed from the send, leave the wait out. Null otherwise, and for a closed loop.
    /// </summary>
    public static string? LateSendWarning(ScenarioResult s) => s.SendLateness.TryValueOf(Percentile.P99) is { } p99 && p99 > LateSendThreshold.TotalMilliseconds
        ? F($"The open loop fell behind its schedule: requests were sent p50 {N(s.SendLateness.P50)} / p99 {N(p99)} / max {N(s.SendLateness.Max)} ms after their scheduled arrival, waiting for one of its {s.Load.MaxConcurrency} slots (--concurrency caps an open loop) or for the client. It offered less than its rate ({R(s.RequestsPerSecond)} of {s.Load.Level:0.###} req/s served), and the latencies, timed from the send as vLLM times them, leave that wait out. Raise --concurrency, or lower --rate.")
        : null;

    // Not measured is "—", never 0.
    private static string N(double? value) => value is not { } v ? "—" : v.ToString(v >= 100 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private static string R(Rate rate) => R(rate.Value);

    private static string R(double? rate) => rate is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "—";

    private static string P(Rate rate) => rate.Value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "—";

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Writes a run's JSON, Markdown and SVG charts into one output directory (e.g. reports/benchmarks/).</summary>
public static class BenchmarkReport
{
    public const string LatencyChartFileName = "latency-percentiles-ttft.svg";
    public const string EndToEndChartFileName = "latency-percentiles-e2e.svg";
    public const string ThroughputChartFileName = "throughput-vs-load.svg";

    /// <summary>Writes every artefact and returns their paths (JSON first, then Markdown, the interval log when there are histograms, the request log when there are records, then charts).</summary>
    public static IReadOnlyList<string> WriteAll(BenchmarkDocument document, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        Directory.CreateDirectory(outputDirectory);
        var charts = new List<string>();
        if (document.Scenarios.Count > 0)
        {
            charts.Add(WriteText(outputDirectory, LatencyChartFileName, SvgCharts.LatencyPercentiles(document.Scenarios)));
            charts.Add(WriteText(outputDirectory, EndToEndChartFileName, SvgCharts.LatencyPercentiles(document.Scenarios, Budgets.Metric.EndToEnd)));
        }
        if (document.Sweeps.Count > 0)
            charts.Add(WriteText(outputDirectory, ThroughputChartFileName, SvgCharts.ThroughputVsLoad(document.Sweeps)));
        var json = document.Save(outputDirectory);
        var markdown = WriteText(outputDirectory, MarkdownReport.FileName, MarkdownReport.Render(document, charts));
        // The interval log, when the scenarios kept their histograms: what HdrHistogram tools read and `bench merge` adds.
        var log = Path.Combine(outputDirectory, HistogramLog.FileName);
        var written = HistogramLog.Write(document, log) ? new List<string> { json, markdown, log } : [json, markdown];
        // The request log, when the scenarios kept their records (bench --request-log).
        var requests = Path.Combine(outputDirectory, RequestLog.FileName);
        if (RequestLog.Write(document, requests)) written.Add(requests);
        return [.. written, .. charts];
    }

    private static string WriteText(string directory, string fileName, string content)
    {
        var path = Path.Combine(directory, fileName);
        File.WriteAllText(path, content);
        return path;
    }
}
