using System.Diagnostics;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.SelfTest;
using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Tests;

public class PacedEndpointTests
{
    [Test]
    public async Task Measured_ttft_is_never_less_than_the_first_chunk_delay_the_server_served()
    {
        await using var endpoint = await PacedEndpoint.StartAsync();
        using var paced = new LoopbackStreamTarget(endpoint, TimeSpan.FromMilliseconds(15), TimeSpan.FromMilliseconds(3), chunks: 4);
        var pairs = new List<(TimeSpan Measured, TimeSpan Served)>();
        var observing = new DelegateTarget(paced.Provider, paced.Model, async (ctx, ct) =>
        {
            var outcome = await paced.SendAsync(ctx, ct);
            lock (pairs) pairs.Add((Stopwatch.GetElapsedTime(ctx.StartTimestamp, ctx.FirstTokenTimestamp), ctx.ServedFirstChunkDelay!.Value));
            return outcome;
        });

        var result = await BenchmarkRunner.RunAsync(observing, new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 10 });

        result.Succeeded.ShouldBe(10);
        endpoint.BaseAddress.Host.ShouldBe("127.0.0.1");
        pairs.Count.ShouldBe(12); // 2 warm-up + 10 measured
        var shown = string.Join(", ", pairs.Select(p => $"measured {p.Measured.TotalMilliseconds:F3} / served {p.Served.TotalMilliseconds:F3} ms"));
        pairs.ShouldAllBe(p => p.Measured >= p.Served, shown);
        pairs.ShouldAllBe(p => p.Served >= TimeSpan.FromMilliseconds(14), shown);
        result.TtftError.Count.ShouldBe(10);
        result.InterTokenLatency.Count.ShouldBe(10 * 3);
        result.InterTokenGapError.Count.ShouldBe(10 * 3);
    }

    [Test]
    public async Task The_zero_cost_target_answers_over_pooled_and_fresh_connections()
    {
        await using var endpoint = await PacedEndpoint.StartAsync();
        using var zero = new LoopbackZeroCostTarget(endpoint);

        var pooled = await BenchmarkRunner.RunAsync(zero, new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 20, ConnectionPort = endpoint.Port });
        var cold = await BenchmarkRunner.RunAsync(zero, new BenchmarkRunOptions
        {
            Load = new ClosedLoopLoad(2), MaxRequests = 20, ConnectionMode = ConnectionMode.NewConnectionPerRequest,
        });

        pooled.Succeeded.ShouldBe(20);
        pooled.Resources.PeakOpenConnections.ShouldNotBeNull().ShouldBeLessThanOrEqualTo(2);
        cold.Succeeded.ShouldBe(20);
        cold.Ttft.Count.ShouldBe(0); // non-streaming: no first token to time
        cold.EndToEnd.Count.ShouldBe(20);
    }

    [Test]
    public void A_stream_needs_at_least_one_chunk()
    {
        Should.Throw<ArgumentException>(async () =>
        {
            await using var endpoint = await PacedEndpoint.StartAsync();
            endpoint.StreamUri(TimeSpan.Zero, TimeSpan.Zero, chunks: 0);
        }).ParamName.ShouldBe("chunks");
    }

    [Test]
    public async Task A_child_process_that_never_says_where_it_listens_fails_with_its_exit_code_and_error_output()
    {
        var command = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "echo 'no port for you' >&2; exit 3" } };

        var error = await Should.ThrowAsync<InvalidOperationException>(() => PacedEndpoint.StartInChildProcessAsync(command));

        error.Message.ShouldContain("exited (3) without saying where it listens");
        error.Message.ShouldContain("no port for you");
    }

    [Test]
    public async Task A_child_process_that_listens_off_loopback_is_refused_and_stopped()
    {
        var command = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", $"echo '{PacedEndpoint.ListeningPrefix}http://192.0.2.10:8080/'; sleep 30" } };

        var error = await Should.ThrowAsync<InvalidOperationException>(() => PacedEndpoint.StartInChildProcessAsync(command));

        error.Message.ShouldContain("off the loopback interface");
    }

    [Test]
    public async Task A_child_process_endpoint_serves_paced_streams_and_stops_when_its_input_ends()
    {
        // The child side, run here over a pipe pair: the same code the CLI's bench-target runs.
        var input = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var inputReader = new StreamReader(new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, input.ClientSafePipeHandle));
        var output = new StringWriter();
        var serving = PacedEndpoint.ServeUntilInputEndsAsync(inputReader, output);
        var deadline = Stopwatch.StartNew();
        while (!output.ToString().Contains(PacedEndpoint.ListeningPrefix) && deadline.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        var address = new Uri(output.ToString().Trim()[PacedEndpoint.ListeningPrefix.Length..]);
        address.Host.ShouldBe("127.0.0.1");

        using var http = new HttpClient();
        var body = await http.GetStringAsync(new Uri(address, "stream?first=5&gap=1&chunks=2"));
        body.ShouldContain("\"served\"");
        body.ShouldEndWith("data: [DONE]\n\n");

        serving.IsCompleted.ShouldBeFalse("it serves until its input ends");
        await input.DisposeAsync();
        (await Task.WhenAny(serving, Task.Delay(TimeSpan.FromSeconds(10)))).ShouldBe(serving, "the end of input should stop it");
        await serving;
    }
}
