using System.Collections;

namespace ProviderSpecs.Simulators;

/// <summary>
/// The simulated providers of one test run, one in-process server each on 127.0.0.1.
/// Start once per run, open a <see cref="SimulatorScope"/> per scenario.
/// </summary>
public sealed class SimulatedProviders : IAsyncDisposable, IReadOnlyCollection<SimulatedProvider>
{
    private readonly Dictionary<string, SimulatedProvider> _providers;

    private SimulatedProviders(Dictionary<string, SimulatedProvider> providers) => _providers = providers;

    public SimulatorOptions Options { get; private init; } = new();

    public static Task<SimulatedProviders> StartAsync(SimulatorOptions? options = null)
    {
        options ??= new SimulatorOptions();
        options.Validate();
        var fixtures = options.FixturesDirectory ?? FixturesLocator.Find();
        if (!Directory.Exists(fixtures))
            throw new DirectoryNotFoundException($"Fixtures folder '{fixtures}' does not exist; set SimulatorOptions.FixturesDirectory to the repository's fixtures folder.");

        var started = new Dictionary<string, SimulatedProvider>();
        try
        {
            foreach (var id in options.Providers ?? ProviderIds.All)
            {
                ProviderDialect dialect = id == ProviderIds.Groq ? new GroqDialect() : new TogetherDialect();
                started[id] = SimulatedProvider.Start(dialect, fixtures, options, options.Ports.GetValueOrDefault(id));
            }
        }
        catch
        {
            foreach (var provider in started.Values) provider.Stop();
            throw;
        }
        return Task.FromResult(new SimulatedProviders(started) { Options = options });
    }

    public SimulatedProvider this[string providerId] =>
        _providers.TryGetValue(providerId, out var provider)
            ? provider
            : throw new KeyNotFoundException($"No simulated provider '{providerId}'. Started: {string.Join(", ", _providers.Keys)}.");

    public int Count => _providers.Count;

    public IEnumerator<SimulatedProvider> GetEnumerator() => _providers.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public ValueTask DisposeAsync()
    {
        foreach (var provider in _providers.Values) provider.Stop();
        return ValueTask.CompletedTask;
    }
}
