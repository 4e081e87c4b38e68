using System.Net.Http.Headers;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Cli.Tests;

public class SimulateTests
{
    [Test]
    public async Task Simulate_serves_until_cancelled_then_stops_and_logs_requests_with_masked_keys()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var started = new TaskCompletionSource<SimulatedProviders>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = CliHarness.RunAsync(["simulate", "--log-requests", "--time-scale", "0"], simulatorStarted: s => started.SetResult(s), cancellationToken: stop.Token);

        var simulators = await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var groq = simulators["groq"];
        var baseUrl = groq.BaseUrl;
        var key = groq.DefaultApiKey;
        using (var http = new HttpClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl.ToString().TrimEnd('/') + "/models");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request);
            ((int)response.StatusCode).ShouldBe(200);
        }
        // Let one log poll pass, then stop as Ctrl+C would.
        await Task.Delay(200);
        await stop.CancelAsync();
        var run = await running;

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain(baseUrl.ToString().TrimEnd('/'));
        run.Output.ShouldContain("GROQ_BASE_URL=");
        run.Output.ShouldContain("Simulated providers stopped.");
        var logLine = run.Output.Split('\n').Single(l => l.Contains("GET /openai/v1/models"));
        logLine.ShouldContain("→ 200");
        logLine.ShouldContain("auth=Bearer gsk_…");
        logLine.ShouldNotContain(key);

        using var after = new HttpClient();
        await Should.ThrowAsync<HttpRequestException>(() => after.GetAsync(baseUrl.ToString().TrimEnd('/') + "/models"));
    }

    [Test]
    public async Task Simulate_uses_the_ports_it_is_given()
    {
        var port = FreePort();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var started = new TaskCompletionSource<SimulatedProviders>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = CliHarness.RunAsync(["simulate", "--groq-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"],
            simulatorStarted: s => started.SetResult(s), cancellationToken: stop.Token);

        var simulators = await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        simulators["groq"].Port.ShouldBe(port);
        await stop.CancelAsync();
        var run = await running;

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain($"\"baseUrl\": \"http://127.0.0.1:{port}/openai/v1");
        run.Output.ShouldContain($"\"controlUrl\": \"http://127.0.0.1:{port}/__simulator/\"");
        run.Output.ShouldContain("\"limits\": \"none\"");
    }

    [Test]
    public async Task Simulate_help_lists_every_fault_on_one_line_with_examples_for_faults_limits_and_the_control_endpoint()
    {
        var run = await CliHarness.RunAsync(["simulate", "--help"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        var lines = run.Output.Split('\n');
        foreach (var fault in FaultCatalog.All)
            lines.Count(l => l.StartsWith($"  {fault.Name} ", StringComparison.Ordinal) && l.Contains(fault.Summary, StringComparison.Ordinal)).ShouldBe(1, fault.Name);
        run.Output.ShouldContain("simulate --fault groq:rate-limit-sequence,count=2,retry-after=1.5 --fault together_ai:overloaded,count=1");
        run.Output.ShouldContain("simulate --limits free-plan");
        run.Output.ShouldContain("simulate --groq-rpm 5 --together-rps 3");
        run.Output.ShouldContain("""curl -X POST $URL/faults -d '{"fault":"overloaded","count":1}'""");
        run.Output.ShouldContain("""curl -X PUT $URL/limits -d '{"plan":"free-plan"}'""");
        run.Output.ShouldContain("curl $URL/requests");
        run.Output.ShouldContain("--together-tps <N>");
    }

    [Test]
    public async Task Simulate_prints_control_urls_limits_and_faults_and_applies_them_to_the_printed_key()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var started = new TaskCompletionSource<SimulatedProviders>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = CliHarness.RunAsync(["simulate", "--time-scale", "0", "--limits", "free-plan", "--together-tps", "500", "--fault", "groq:overloaded,count=2"],
            simulatorStarted: s => started.SetResult(s), cancellationToken: stop.Token);

        var simulators = await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var groq = simulators["groq"];
        var together = simulators["together_ai"];
        (groq.RateLimits.Plan, groq.RateLimits.Limits.Count).ShouldBe((RateLimitPlan.FreePlan, 0));
        together.RateLimits.ToString().ShouldBe("free-plan, tps 500");
        groq.DefaultScope.ActiveFaults.Single().ShouldBe(new InjectedFault("overloaded", new FaultOptions { Count = 2 }, 2));
        groq.OpenScope("another key").ActiveFaults.ShouldBeEmpty();
        await stop.CancelAsync();
        var run = await running;

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain($"Groq: {groq.ControlUrl}   limits: free-plan   faults: overloaded (2×)");
        run.Output.ShouldContain($"Together AI: {together.ControlUrl}   limits: free-plan, tps 500");
    }

    [Test]
    public async Task Logged_requests_name_the_limit_that_refused_them_and_every_concurrent_request_is_logged_once()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var started = new TaskCompletionSource<SimulatedProviders>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = CliHarness.RunAsync(["simulate", "--log-requests", "--time-scale", "0", "--groq-rpm", "1"], simulatorStarted: s => started.SetResult(s), cancellationToken: stop.Token);
        var groq = (await started.Task.WaitAsync(TimeSpan.FromSeconds(20)))["groq"];

        using (var http = new HttpClient())
        {
            // Twenty at once: they finish (and are recorded) in any order.
            await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, groq.BaseUrl + "/chat/completions")
                {
                    Content = new StringContent("""{"model":"llama-3.1-8b-instant","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", groq.DefaultApiKey);
                (await http.SendAsync(request)).Dispose();
            }));
        }
        await Task.Delay(200);
        await stop.CancelAsync();
        var run = await running;

        var lines = run.Output.Split('\n').Where(l => l.Contains("POST /openai/v1/chat/completions", StringComparison.Ordinal)).ToList();
        lines.Count.ShouldBe(20, run.ToString());
        lines.Count(l => l.Contains("→ 200", StringComparison.Ordinal)).ShouldBe(1);
        lines.Where(l => l.Contains("→ 429", StringComparison.Ordinal)).ShouldAllBe(l => l.Contains(" limited by requests per minute (RPM) wait=") && l.Contains("auth=Bearer gsk_…_key"));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
