using System.Text.Json;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Cli.Tests;

/// <summary>Issue 8 item 3 through the CLI: credentials files that are unreadable or readable by others, and simulated
/// commands that never use an off-loopback *_BASE_URL.</summary>
public class CredentialFileAndLoopbackTests
{
    /// <summary>A fake environment whose config directory holds <c>providerspecs/credentials.json</c> with the given text and mode.</summary>
    private static string WithCredentialsFile(string json, UnixFileMode mode)
    {
        var config = CliHarness.TempDirectory("config");
        var file = Path.Combine(config, "providerspecs", "credentials.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, json);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, mode);
        return file;
    }

    private static async Task<CliRun> RunWithConfigAsync(string[] args, string configDirectory, IDictionary<string, string>? variables = null)
    {
        var console = new Spectre.Console.Testing.TestConsole();
        console.Profile.Width = 250;
        var error = new StringWriter();
        var values = new Dictionary<string, string>(variables ?? new Dictionary<string, string>());
        var context = new CliContext
        {
            Console = console,
            Error = error,
            Environment = new CredentialEnvironment
            {
                GetEnvironmentVariable = name => values.TryGetValue(name, out var v) ? v : null,
                WorkingDirectory = CliHarness.TempDirectory("work"),
                UserConfigDirectory = configDirectory,
            },
        };
        var code = await CliApp.RunAsync(args, context);
        return new CliRun(code, console.Output, error.ToString());
    }

    private static string ConfigOf(string file) => Path.GetDirectoryName(Path.GetDirectoryName(file))!;

    [Test]
    public async Task A_credentials_file_readable_by_others_is_warned_about_by_providers()
    {
        var file = WithCredentialsFile("{\"groq\":\"gsk_file_fake_0001\"}", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        if (OperatingSystem.IsWindows()) Assert.Ignore("Unix file modes only");

        var run = await RunWithConfigAsync(["providers"], ConfigOf(file));

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain("gsk_…0001 (user-credentials-file)");
        run.Output.ShouldContain("readable by group or others; restrict it with: chmod 600");
        run.All.ShouldNotContain("gsk_file_fake_0001");
    }

    [Test]
    public async Task A_credentials_file_readable_by_others_is_warned_about_when_chat_uses_its_key()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("Unix file modes only");
        // "Live" is the simulated Groq reached through GROQ_BASE_URL (loopback), with the key from the credentials file.
        await using var simulators = await SimulatedProviders.StartAsync(new SimulatorOptions { Providers = [ProviderIds.Groq], TimeScale = 0 });
        var scope = simulators["groq"].OpenScope("credentials file warning");
        var file = WithCredentialsFile($"{{\"groq\":\"{scope.ApiKey}\"}}", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var run = await RunWithConfigAsync(["chat", "groq", "llama-3.1-8b-instant", "hi", "--max-tokens", "5"], ConfigOf(file),
            new Dictionary<string, string> { ["GROQ_BASE_URL"] = simulators["groq"].BaseUrl.ToString() });

        run.ExitCode.ShouldBe(0, run.ToString());
        scope.Requests.Count.ShouldBe(1);
        run.Error.ShouldContain("warning: groq:");
        run.Error.ShouldContain("chmod 600");
        run.All.ShouldNotContain(scope.ApiKey);
    }

    [Test]
    public async Task An_unreadable_credentials_file_is_named_in_the_missing_key_error_and_nothing_is_written()
    {
        var file = WithCredentialsFile("{ this is not json", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var outDir = Path.Combine(CliHarness.TempDirectory("unreadable"), "out");

        var chat = await RunWithConfigAsync(["chat", "groq", "llama-3.1-8b-instant", "hi"], ConfigOf(file));
        var bench = await RunWithConfigAsync(["bench", "--live", "--provider", "groq", "--requests", "1", "--warmup", "1", "--max-requests", "5", "--out", outDir], ConfigOf(file));
        var providers = await RunWithConfigAsync(["providers"], ConfigOf(file));

        foreach (var run in new[] { chat, bench })
        {
            run.ExitCode.ShouldBe(2, run.ToString());
            var line = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldHaveSingleItem();
            line.ShouldStartWith("error: no API key for groq");
            line.ShouldContain($"{file} could not be read (credentials file could not be read as");
            run.Output.Trim().ShouldBeEmpty();
        }
        Directory.Exists(outDir).ShouldBeFalse("a refused bench writes nothing");
        providers.ExitCode.ShouldBe(0, providers.ToString());
        providers.Output.ShouldContain("could not be read");
    }

    [TestCase("models", "groq", "--simulated", "--json")]
    [TestCase("chat", "groq", "llama-3.1-8b-instant", "hi", "--simulated", "--json", "--max-tokens", "5")]
    [TestCase("chat", "together", "meta-llama/Meta-Llama-3-8B-Instruct-Lite", "hi", "--simulated", "--stream", "--max-tokens", "5")]
    public async Task Simulated_commands_never_use_off_loopback_BASE_URL_variables(params string[] args)
    {
        // .invalid never resolves (RFC 6761): even a regression could not reach anything.
        var run = await CliHarness.RunAsync(args, new Dictionary<string, string>
        {
            ["GROQ_BASE_URL"] = "http://groq-off-loopback.invalid/openai/v1",
            ["TOGETHER_BASE_URL"] = "http://together-off-loopback.invalid/v1",
        });

        run.ExitCode.ShouldBe(0, run.ToString());
        run.All.ShouldNotContain("off-loopback.invalid");
        if (args[0] == "models")
        {
            using var json = JsonDocument.Parse(run.Output);
            new Uri(json.RootElement.GetProperty("baseUrl").GetString()!).IsLoopback.ShouldBeTrue();
        }
    }

    [Test]
    public async Task Bench_in_simulated_mode_never_uses_an_off_loopback_BASE_URL_variable()
    {
        var outDir = CliHarness.TempDirectory("bench-loopback");
        var run = await CliHarness.RunAsync(
            ["bench", "--provider", "groq", "--requests", "2", "--concurrency", "1", "--warmup", "1", "--max-tokens", "4", "--time-scale", "0", "--out", outDir, "--json"],
            new Dictionary<string, string> { ["GROQ_BASE_URL"] = "http://groq-off-loopback.invalid/openai/v1" });

        run.ExitCode.ShouldBe(0, run.ToString());
        run.All.ShouldNotContain("off-loopback.invalid");
        File.ReadAllText(Path.Combine(outDir, "benchmark-results.json")).ShouldNotContain("off-loopback.invalid");
    }
}
