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

    public static Task<SimulatedProviders> StartAsync(CliContext context, IEnumerable<string> providerIds, double timeScale = 1.0, int seed = 42,
        IReadOnlyDictionary<string, int>? ports = null)
    {
        var root = RepoRoot.Find(context.WorkingDirectory);
        var fixtures = root is not null && Directory.Exists(Path.Combine(root, "fixtures")) ? Path.Combine(root, "fixtures") : null;
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
