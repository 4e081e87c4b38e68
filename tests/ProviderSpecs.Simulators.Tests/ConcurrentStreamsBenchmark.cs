using System.Diagnostics;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>
/// Prints how far from the profile 64 concurrent paced streams get their first content chunk, measured
/// client-side. Explicit: it takes real time and CPU, and its numbers are a benchmark, not a unit assertion.
/// </summary>
[Explicit("benchmark: run with --filter Name=Sixty_four_concurrent_streams_first_chunk_lateness")]
public sealed class ConcurrentStreamsBenchmark
{
    [Test]
    public async Task Sixty_four_concurrent_streams_first_chunk_lateness()
    {
        const int streams = 64;
        var scope = Groq.OpenScope("64 concurrent streams");
        scope.UseLatencyScale(1.0);
        var expected = TimeSpan.FromMilliseconds(200);
        scope.SetLatencyProfile(ModelLatencyProfile.Fixed(TimeSpan.Zero, expected, tokensPerSecond: 200, tokensPerChunk: 4));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = streams });

        async Task<TimeSpan> FirstChunkAsync()
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody("llama-3.1-8b-instant", stream: true)), HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            TimeSpan? first = null;
            while (await reader.ReadLineAsync() is { } line)
                if (first is null && line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
                    first = Stopwatch.GetElapsedTime(started);
            return first!.Value;
        }

        await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => FirstChunkAsync())); // warm-up: opens the 64 connections
        var results = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(FirstChunkAsync)));
        var lateness = results.Select(r => (r - expected).TotalMilliseconds).Order().ToArray();
        TestContext.Out.WriteLine($"first-chunk lateness over {expected.TotalMilliseconds} ms, {streams} streams: p50 {lateness[streams / 2]:F2} ms, p99 {lateness[(int)(streams * 0.99)]:F2} ms, max {lateness[^1]:F2} ms");
        var served = scope.Requests.TakeLast(streams).Select(r => (r.Timing.FirstChunkDelay!.Value - expected).TotalMilliseconds).Order().ToArray();
        TestContext.Out.WriteLine($"server-side (from arrival): p50 {served[streams / 2]:F2} ms, p99 {served[(int)(streams * 0.99)]:F2} ms");
        results.Length.ShouldBe(streams);
        lateness[0].ShouldBeGreaterThanOrEqualTo(0);
    }
}
