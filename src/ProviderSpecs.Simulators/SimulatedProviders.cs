using System.Collections;

namespace ProviderSpecs.Simulators;

/// <summary>
/// The simulated providers of one test run, one in-process server each on 127.0.0.1.
/// Start once per run, open a <see cref="SimulatorScope"/> per scenario.
/// </summary>
public sealed class SimulatedProviders : IAsyncDisposable, IReadOnlyCollection<SimulatedProvider>
{
    private readonly Dictionary<string, SimulatedProvider> _providers;
    private int _disposed;

    private SimulatedProviders(Dictionary<string, SimulatedProvider> providers) => _providers = providers;

    public SimulatorOptions Options { get; private init; } = new();

    /// <summary>What <see cref="FixturesSource"/> says when the simulators run on the fixtures built into this assembly.</summary>
    public const string EmbeddedFixtures = FixtureFiles.EmbeddedSource;

    /// <summary>The full path of the fixtures folder the simulators read, or <see cref="EmbeddedFixtures"/> for the built-in copies.</summary>
    public string FixturesSource { get; private init; } = EmbeddedFixtures;

    public static Task<SimulatedProviders> StartAsync(SimulatorOptions? options = null)
    {
        options ??= new SimulatorOptions();
        options.Validate();
        var fixtures = ChooseFixtures(options);

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
        ThreadPoolFloor.Raise();
        return Task.FromResult(new SimulatedProviders(started) { Options = options, FixturesSource = fixtures.Source });
    }

    // An explicit folder wins; inside this repository its fixtures/ (so edits need no rebuild); anywhere else the built-in copies.
    private static FixtureFiles ChooseFixtures(SimulatorOptions options)
    {
        if (options.FixturesDirectory is { } directory)
            return Directory.Exists(directory)
                ? FixtureFiles.FromDirectory(directory)
                : throw new DirectoryNotFoundException($"Fixtures folder '{directory}' does not exist; set SimulatorOptions.FixturesDirectory to a folder holding simulators/ and latency-profiles/, or leave it null for the built-in fixtures.");
        if (!options.UseEmbeddedFixtures && FixturesLocator.TryFind() is { } repository) return FixtureFiles.FromDirectory(repository);
        return FixtureFiles.Embedded;
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
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return ValueTask.CompletedTask;
        foreach (var provider in _providers.Values) provider.Stop();
        ThreadPoolFloor.Restore();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// While any simulators run, the thread pool keeps at least <see cref="MinWorkers"/> workers ready. On 2 cores the pool
/// starts with 2 and adds about one thread per 500 ms under load, so 64 streams due at the same instant (plus the
/// client's continuations in the same process) queued behind each other for tens of milliseconds. The previous minimum
/// is restored when the last simulators stop.
/// </summary>
internal static class ThreadPoolFloor
{
    public const int MinWorkers = 96;
    private static readonly Lock Gate = new();
    private static int _users;
    private static (int Workers, int Io) _previous;

    public static void Raise()
    {
        lock (Gate)
        {
            if (_users++ > 0) return;
            ThreadPool.GetMinThreads(out var workers, out var io);
            _previous = (workers, io);
            ThreadPool.SetMinThreads(Math.Max(workers, MinWorkers), Math.Max(io, MinWorkers));
        }
    }

    public static void Restore()
    {
        lock (Gate)
        {
            if (--_users > 0) return;
            ThreadPool.SetMinThreads(_previous.Workers, _previous.Io);
        }
    }
}
