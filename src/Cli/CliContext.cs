using System.Text.Json;
using System.Text.Json.Serialization;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Simulators;
using Spectre.Console;

namespace ProviderSpecs.Cli;

/// <summary>
/// What a command runs against: its console, the error stream, the environment the credential chain reads, and
/// hooks for tests. One instance per run of the app; tests build their own with a TestConsole and a fake environment.
/// </summary>
public sealed class CliContext
{
    public required IAnsiConsole Console { get; init; }

    /// <summary>Where the one-line error of a failed command goes (stderr).</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Environment variables, working directory and config directory (credential chain, base-URL overrides, relative paths).</summary>
    public CredentialEnvironment Environment { get; init; } = CredentialEnvironment.FromProcess();

    /// <summary>Called by <c>simulate</c> once the simulated providers listen (tests use it to talk to them, then cancel).</summary>
    public Action<SimulatedProviders>? SimulatorStarted { get; init; }

    /// <summary>How often <c>simulate --log-requests</c> looks for new requests.</summary>
    public TimeSpan RequestLogInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How <c>bench --self-test</c> starts its loopback target in a child process (this program's hidden
    /// <c>bench-target</c> command); null runs the target in this process (tests, which have no such program).
    /// </summary>
    public Func<System.Diagnostics.ProcessStartInfo>? SelfTestTargetCommand { get; init; }

    /// <summary>
    /// Called first by <c>bench</c>: null when this process has the measuring runtime's settings
    /// (<see cref="ProviderSpecs.Benchmarking.Load.MeasuringRuntime"/>) and the command goes on here; else the exit code of
    /// a child process that ran the same command with them. Null in tests, which measure in the test host as it is.
    /// </summary>
    public Func<CancellationToken, Task<int?>>? RunInMeasuringProcess { get; init; }

    /// <summary>Standard input: <c>bench-target</c> serves until it ends.</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Raw standard output (no markup, no wrapping): for JSON and streamed reply text.</summary>
    public TextWriter Out => Console.Profile.Out.Writer;

    public string WorkingDirectory => Environment.WorkingDirectory;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public void WriteJson<T>(T value)
    {
        Out.WriteLine(JsonSerializer.Serialize(value, Json));
        Out.Flush();
    }

    /// <summary>Resolves a path given on the command line against the working directory.</summary>
    public string FullPath(string path) => Path.GetFullPath(Path.Combine(WorkingDirectory, path));
}
