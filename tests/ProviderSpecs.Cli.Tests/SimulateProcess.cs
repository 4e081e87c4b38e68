using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ProviderSpecs.Cli.Tests;

/// <summary>
/// <c>providerspecs simulate --json …</c> in a child process, as a client team runs it: the test talks to it over
/// loopback only (the provider APIs and the control endpoints it printed) and stops it with SIGTERM.
/// </summary>
public sealed class SimulateProcess : IAsyncDisposable
{
    public static HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly Process _process;
    private readonly Task<string> _errors;

    private SimulateProcess(Process process, Task<string> errors, JsonNode started)
    {
        _process = process;
        _errors = errors;
        Started = started;
    }

    /// <summary>What the child printed with <c>--json</c>.</summary>
    public JsonNode Started { get; }

    public static async Task<SimulateProcess> StartAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Not the repository: the child must find its fixtures by itself, as an installed tool would from anywhere.
            WorkingDirectory = CliHarness.TempDirectory("simulate-child"),
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "providerspecs.dll"), "simulate", "--json" }.Concat(args)) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("simulate did not start");
        var errors = process.StandardError.ReadToEndAsync();
        var json = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            // --json prints one indented document; its last line is the closing brace.
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                json.AppendLine(line);
                if (line == "}") return new SimulateProcess(process, errors, JsonNode.Parse(json.ToString())!);
            }
            await process.WaitForExitAsync(CancellationToken.None);
            throw new InvalidOperationException($"simulate exited ({process.ExitCode}) before printing its endpoints: {json}{await errors}");
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public JsonNode Provider(string id) => Started["providers"]!.AsArray().Single(p => p!["provider"]!.GetValue<string>() == id)!;

    public Uri BaseUrl(string id) => new(Provider(id)["baseUrl"]!.GetValue<string>());

    public Uri ControlUrl(string id) => new(Provider(id)["controlUrl"]!.GetValue<string>());

    public string Key(string id) => Provider(id)["testApiKey"]!.GetValue<string>();

    /// <summary>A chat completion with the printed key; returns status, headers and body.</summary>
    public async Task<(int Status, HttpResponseMessage Response, string Body)> ChatAsync(string id, string model, int maxTokens = 5, bool stream = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, BaseUrl(id) + "/chat/completions")
        {
            Content = new StringContent(
                new JsonObject
                {
                    ["model"] = model,
                    ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hello" }),
                    ["max_tokens"] = maxTokens,
                    ["stream"] = stream,
                }.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key(id));
        var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Calls the control endpoint of one provider (no key, JSON in and out).</summary>
    public async Task<(int Status, JsonNode Body)> ControlAsync(string id, HttpMethod method, string route, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(ControlUrl(id), route));
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldNotContain(Key(id), Case.Sensitive, "the control endpoint shows keys masked only");
        return ((int)response.StatusCode, JsonNode.Parse(body)!);
    }

    /// <summary>The default key's request log as the control endpoint serves it.</summary>
    public async Task<List<JsonNode>> RequestLogAsync(string id) =>
        (await ControlAsync(id, HttpMethod.Get, "requests")).Body["requests"]!.AsArray().Select(r => r!).ToList();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited && OperatingSystem.IsLinux())
            {
                // SIGTERM, as a service manager would stop it; simulate stops cleanly on it.
                using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _errors.WaitAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _process.Dispose();
        }
    }
}
