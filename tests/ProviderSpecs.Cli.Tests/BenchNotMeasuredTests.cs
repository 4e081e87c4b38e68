using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.ProviderAdapter;
using ProviderSpecs.Benchmarking.Targets;
using ProviderSpecs.Cli.Commands;

namespace ProviderSpecs.Cli.Tests;

/// <summary>bench's comparison table of a run whose requests all failed: dashes and the reason, never a 0.</summary>
public sealed class BenchNotMeasuredTests
{
    [Test]
    public async Task The_comparison_shows_not_measured_instead_of_figures()
    {
        var refused = new DelegateTarget("groq", "llama-3.1-8b-instant", (_, _) => ValueTask.FromResult(RequestOutcome.Failed("rate-limited", 429)));
        var result = await BenchmarkRunner.RunAsync(refused, new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 6, WarmupRequests = 1 });
        var outcome = new BenchCommand.RunOutcome(result, new CredentialTiming(CredentialResolutionMode.Once, 0, TimeSpan.Zero, TimeSpan.Zero), null);

        var markdown = BenchCommand.ComparisonMarkdown([outcome], new BenchSettings(), budget: null);

        markdown.ShouldContain("| Not measured | not measured: 0 of 6 requests succeeded (errors by key: rate-limited × 6) |");
        markdown.ShouldContain("| TTFT p50 (ms) | — |");
        markdown.ShouldContain("| Output tokens/s (run) | — |");
        markdown.ShouldContain("| Error rate | 100.0 % |", Case.Sensitive, "the error rate of started requests is measured");
    }
}
