using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Cli.Support;

/// <summary>Starts the in-process simulated providers for a command (<c>--simulated</c>, <c>bench</c>, <c>simulate</c>).</summary>
internal static class Simulation
{
    public static IReadOnlyList<string> SimulatedIds => ProviderIds.All;

    /// <summary>Fails with a one-line reason when the provider has no simulator.</summary>
    public static void RequireSimulated(ProviderDefinition provider)
    {
        if (!ProviderIds.All.Contains(provider.Id))
            throw new CliException($"{provider.DisplayName} has no simulator (simulated: {string.Join(", ", ProviderIds.All)}); drop --simulated to use the live API with {provider.KeyEnvVar}.");
    }

    /// <summary>
    /// Starts the simulators and checks that every one listens on loopback: simulated commands pass the simulator's base
    /// URL explicitly (so *_BASE_URL variables are never used) and that URL must not leave 127.0.0.1.
    /// </summary>
    public static async Task<SimulatedProviders> StartAsync(CliContext context, IEnumerable<string> providerIds, double timeScale = 1.0, int seed = 42,
        IReadOnlyDictionary<string, int>? ports = null)
    {
        var simulators = await StartCoreAsync(context, providerIds, timeScale, seed, ports).ConfigureAwait(false);
        if (simulators.FirstOrDefault(s => !s.BaseUrl.IsLoopback) is { } offLoopback)
        {
            await simulators.DisposeAsync().ConfigureAwait(false);
            throw new CliException($"refusing the simulated {offLoopback.Id} at {offLoopback.BaseUrl}: it is not on the loopback interface; simulated runs stay on 127.0.0.1.", ExitCodes.Failed);
        }
        return simulators;
    }

    /// <summary>Credential warnings (e.g. a credentials file readable by others) as <c>warning: …</c> lines on stderr; keys are never shown.</summary>
    public static void WriteCredentialWarnings(CliContext context, ProviderSpecs.Providers.Credentials.CredentialResolution credential)
    {
        foreach (var warning in credential.Warnings) context.Error.WriteLine($"warning: {credential.Provider.Id}: {CliApp.OneLine(warning)}");
        context.Error.Flush();
    }

    private static Task<SimulatedProviders> StartCoreAsync(CliContext context, IEnumerable<string> providerIds, double timeScale, int seed,
        IReadOnlyDictionary<string, int>? ports)
    {
        var root = RepoRoot.Find(context.WorkingDirectory);
        var fixtures = root is not null && Directory.Exists(Path.Combine(root, "fixtures", "simulators")) ? Path.Combine(root, "fixtures") : null;
        try
        {
            return SimulatedProviders.StartAsync(new SimulatorOptions
            {
                FixturesDirectory = fixtures,
                Providers = providerIds.Distinct().ToList(),
                TimeScale = timeScale,
                Seed = seed,
                Ports = ports ?? new Dictionary<string, int>(),
            });
        }
        catch (Exception e) when (e is not CliException)
        {
            throw new CliException($"could not start the simulated providers: {e.Message}", ExitCodes.Failed);
        }
    }
}
