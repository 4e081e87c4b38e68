using System.Text.Json.Nodes;
using System.Xml.Linq;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Reporting;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Tests;

public class ReportingTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("bench-report-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private static async Task<BenchmarkDocument> SampleDocumentAsync()
    {
        var groq = new DelegateTarget("groq", "llama-3.1-8b-instant", (ctx, _) => { ctx.MarkChunk(); ctx.MarkChunk(); return ValueTask.FromResult(RequestOutcome.Success()); });
        var together = new DelegateTarget("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", (ctx, _) =>
            ValueTask.FromResult(ctx.RequestIndex % 4 == 0 && !ctx.IsWarmup ? RequestOutcome.Failed("server-error", 503) : RequestOutcome.Success(1)));
        var options = new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 12 };
        return new BenchmarkDocument
        {
            Metadata = RunMetadata.Capture("simulated", seed: 7),
            Scenarios = [await BenchmarkRunner.RunAsync(groq, options), await BenchmarkRunner.RunAsync(together, options)],
            Sweeps = [await BenchmarkRunner.RunSweepAsync(groq, LoadSweep.Concurrency(1, 2), options)],
        };
    }

    [Test]
    public async Task The_json_document_round_trips_and_carries_its_schema_version()
    {
        var document = await SampleDocumentAsync();

        var json = document.ToJson();
        var read = BenchmarkDocument.FromJson(json);

        JsonNode.Parse(json)!["schemaVersion"]!.GetValue<int>().ShouldBe(BenchmarkDocument.CurrentSchemaVersion);
        read.Metadata.ShouldBe(document.Metadata);
        read.Scenarios.Count.ShouldBe(2);
        read.Scenarios[1].ErrorsByKey.ShouldBe(document.Scenarios[1].ErrorsByKey);
        read.Scenarios[0].Ttft.ShouldBe(document.Scenarios[0].Ttft);
        read.Scenarios[0].Resources.ShouldBe(document.Scenarios[0].Resources);
        read.Sweeps[0].Points.Count.ShouldBe(2);
        read.ToJson().ShouldBe(json);
    }

    [Test]
    public void A_document_of_another_schema_version_is_refused_with_the_reason()
    {
        var error = Should.Throw<InvalidDataException>(() => BenchmarkDocument.FromJson("""{"schemaVersion": 99, "metadata": {}}"""));

        error.Message.ShouldContain("schemaVersion 99");
    }

    [Test]
    public async Task The_markdown_report_compares_providers_and_names_the_definition_of_each_figure()
    {
        var markdown = MarkdownReport.Render(await SampleDocumentAsync());

        markdown.ShouldContain("## Provider comparison");
        markdown.ShouldContain("| groq | llama-3.1-8b-instant |");
        markdown.ShouldContain("| together | meta-llama/Llama-3.3-70B-Instruct-Turbo |");
        markdown.ShouldContain("server-error × 3");
        markdown.ShouldContain(MetricDefinitions.Ttft);
        markdown.ShouldContain(MetricDefinitions.Tpot);
        markdown.ShouldContain(MetricDefinitions.InterTokenLatency);
        markdown.ShouldContain("## Sweep: groq / llama-3.1-8b-instant over concurrency");
    }

    [Test]
    public async Task A_run_with_conditions_imposed_on_purpose_says_so_in_the_report_and_keeps_them_in_json()
    {
        var sample = await SampleDocumentAsync();
        var document = sample with { Scenarios = [sample.Scenarios[0] with { Conditions = ["latency profile ×2"] }, sample.Scenarios[1]] };

        MarkdownReport.Render(document).ShouldContain("**Imposed on purpose:** latency profile ×2");
        MarkdownReport.Render(sample).ShouldNotContain("Imposed on purpose");
        BenchmarkDocument.FromJson(document.ToJson()).Scenarios[0].Conditions.ShouldBe(["latency profile ×2"]);
    }

    [Test]
    public async Task Writing_all_artefacts_produces_json_markdown_and_well_formed_svg_charts()
    {
        var paths = BenchmarkReport.WriteAll(await SampleDocumentAsync(), _directory);

        paths.Select(Path.GetFileName).ShouldBe([BenchmarkDocument.FileName, MarkdownReport.FileName,
            BenchmarkReport.LatencyChartFileName, BenchmarkReport.EndToEndChartFileName, BenchmarkReport.ThroughputChartFileName]);
        foreach (var svg in paths.Where(p => p.EndsWith(".svg")))
        {
            var root = XDocument.Load(svg).Root!;
            root.Name.LocalName.ShouldBe("svg");
            root.Descendants().ShouldContain(e => e.Name.LocalName == "rect" || e.Name.LocalName == "polyline");
        }
        File.ReadAllText(Path.Combine(_directory, MarkdownReport.FileName)).ShouldContain($"]({BenchmarkReport.ThroughputChartFileName})");
        BenchmarkDocument.Load(paths[0]).Scenarios.Count.ShouldBe(2);
    }
}

public class ClientLoadReportingTests
{
    private static ResourceUsage Usage(double? cpuSeconds, int? processors, double seconds = 2) => new()
    {
        DurationSeconds = seconds, AllocatedBytes = 0, AllocatedBytesPerRequest = 0, Gen0Collections = 0, Gen1Collections = 0, Gen2Collections = 0,
        WorkingSetStartBytes = 0, WorkingSetPeakBytes = 0, PeakOpenConnections = null,
        CpuSeconds = cpuSeconds, ProcessorCount = processors, GcPauseSeconds = 0.024, InlineSocketCompletions = true,
    };

    [Test]
    public void A_client_that_kept_the_processors_busy_is_reported_as_cpu_bound()
    {
        var busy = Usage(cpuSeconds: 3.4, processors: 2); // 3.4 s of CPU in 2 s on 2 processors: 85 %
        busy.ClientProcessorShare!.Value.ShouldBe(0.85, 1e-9);
        MarkdownReport.ClientBoundWarning(busy)!.ShouldContain("The client was CPU-bound: it kept 85% of the machine's 2 processors busy");
        MarkdownReport.ClientLine(busy).ShouldBe("Client: 3.4 s CPU (85% of 2 processors); GC pauses 24 ms (12.0 ms/s); socket completions inline on the event threads (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1).");
    }

    [Test]
    public void A_client_with_processors_to_spare_gets_no_warning_and_an_old_result_no_client_line()
    {
        MarkdownReport.ClientBoundWarning(Usage(cpuSeconds: 1.0, processors: 2)).ShouldBeNull();
        MarkdownReport.ClientBoundWarning(Usage(cpuSeconds: 3.9, processors: null)).ShouldBeNull("without the processor count there is no share to judge");
        MarkdownReport.ClientLine(Usage(cpuSeconds: null, processors: null)).ShouldBeNull();
    }
}
