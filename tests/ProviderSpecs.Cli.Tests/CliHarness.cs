using ProviderSpecs.Cli;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Simulators;
using Spectre.Console.Testing;

namespace ProviderSpecs.Cli.Tests;

/// <summary>The outcome of one in-process run of the app.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs the CLI in-process against a TestConsole and a fake environment (no real keys, no .env, no config dir).</summary>
public static class CliHarness
{
    /// <summary>Short, obviously fake keys.</summary>
    public const string FakeGroqKey = "gsk_test_fake_a1b2";
    public const string FakeTogetherKey = "tgp_test_fake_c3d4";

    public static async Task<CliRun> RunAsync(string[] args, IDictionary<string, string>? variables = null,
        Action<SimulatedProviders>? simulatorStarted = null, CancellationToken cancellationToken = default,
        Func<System.Diagnostics.ProcessStartInfo>? selfTestTarget = null, Func<CancellationToken, Task<int?>>? runInMeasuringProcess = null)
    {
        var console = new TestConsole();
        console.Profile.Width = 250;
        var error = new StringWriter();
        var context = new CliContext
        {
            Console = console,
            Error = error,
            Environment = FakeEnvironment(variables),
            SimulatorStarted = simulatorStarted,
            RequestLogInterval = TimeSpan.FromMilliseconds(50),
            SelfTestTargetCommand = selfTestTarget,
            RunInMeasuringProcess = runInMeasuringProcess,
        };
        var code = await CliApp.RunAsync(args, context, cancellationToken);
        return new CliRun(code, console.Output, error.ToString());
    }

    public static CredentialEnvironment FakeEnvironment(IDictionary<string, string>? variables = null)
    {
        var values = new Dictionary<string, string>(variables ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var directory = TempDirectory("env");
        return new CredentialEnvironment
        {
            GetEnvironmentVariable = name => values.TryGetValue(name, out var v) ? v : null,
            WorkingDirectory = directory,
            UserConfigDirectory = directory,
        };
    }

    public static string TempDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "providerspecs-cli-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
