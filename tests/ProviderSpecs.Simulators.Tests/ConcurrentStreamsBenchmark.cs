using System.Diagnostics;
using ProviderSpecs.Simulators;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>
/// Prints how far from the profile N concurrent paced streams get their first content chunk, measured
/// client-side (from just before sending to the first content line read) and server-side (from arrival to the
/// write, as the simulator records it), and the process CPU time per stream (client and simulator together:
/// an upper bound of the simulator's own cost). Explicit: it takes real time and CPU, and its numbers are a
/// benchmark, not a unit assertion. Run in Release:
/// <c>dotnet test -c Release --filter "FullyQualifiedName~ConcurrentStreamsBenchmark"</c>.
/// </summary>
[Explicit("benchmark: run with --filter FullyQualifiedName~ConcurrentStreamsBenchmark (-c Release)")]
public sealed class ConcurrentStreamsBenchmark
{
    [TestCase(16, false)]
    [TestCase(64, false)]
    [TestCase(16, true)]
    [TestCase(64, true)]
    public async Task Concurrent_streams_first_chunk_lateness(int streams, bool headersAtQueueExit)
    {
        const int rounds = 3;
        await using var providers = await SimulatedProviders.StartAsync(new SimulatorOptions { Providers = [ProviderIds.Groq], StreamHeadersAtQueueExit = headersAtQueueExit });
        var groq = providers[ProviderIds.Groq];
        var scope = groq.OpenScope($"{streams} concurrent streams");
        scope.UseLatencyScale(1.0);
        var expected = TimeSpan.FromMilliseconds(200);
        scope.SetLatencyProfile(ModelLatencyProfile.Fixed(TimeSpan.Zero, expected, tokensPerSecond: 200, tokensPerChunk: 4));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = streams, UseProxy = false });

        async Task<TimeSpan> FirstChunkAsync()
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(Post(groq, scope.ApiKey, "/chat/completions", ChatBody("llama-3.1-8b-instant", stream: true)), HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            TimeSpan? first = null;
            while (await reader.ReadLineAsync() is { } line)
                if (first is null && line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
                    first = Stopwatch.GetElapsedTime(started);
            return first!.Value;
        }

        await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => FirstChunkAsync())); // warm-up: opens the connections, JITs both sides
        var client = new List<double>();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var round = 0; round < rounds; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(FirstChunkAsync)));
            client.AddRange(results.Select(r => (r - expected).TotalMilliseconds));
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var served = scope.Requests.TakeLast(streams * rounds).Select(r => (r.Timing.FirstChunkDelay!.Value - expected).TotalMilliseconds).ToList();
        var total = streams * rounds;
        TestContext.Out.WriteLine(
            $"{streams} streams x {rounds} rounds, headers {(headersAtQueueExit ? "at queue exit" : "with first chunk")}, first chunk due at {expected.TotalMilliseconds} ms: " +
            $"client-side late p50 {P(client, 0.50):F2} ms, p99 {P(client, 0.99):F2} ms, max {client.Max():F2} ms; " +
            $"server-side late p50 {P(served, 0.50):F2} ms, p99 {P(served, 0.99):F2} ms; " +
            $"process CPU {cpu.TotalMilliseconds / total:F2} ms per stream (client + simulator)");
        client.Count.ShouldBe(total);
        client.Min().ShouldBeGreaterThanOrEqualTo(-1); // never early: a chunk before its time would be a pacing bug
    }

    private static double P(List<double> values, double quantile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
    }
}
