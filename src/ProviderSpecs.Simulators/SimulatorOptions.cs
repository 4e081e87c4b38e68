namespace ProviderSpecs.Simulators;

public sealed record SimulatorOptions
{
    /// <summary>
    /// A fixtures folder (<c>simulators/</c> catalogs, <c>latency-profiles/</c>, <c>recordings/</c>) to read instead of the
    /// built-in ones. Null (default): inside this repository its <c>fixtures/</c> (<see cref="FixturesLocator.TryFind"/>),
    /// anywhere else the copies built into this assembly — so the packaged simulators need no files beside them.
    /// </summary>
    public string? FixturesDirectory { get; init; }

    /// <summary>Use the fixtures built into this assembly even inside this repository (ignored when <see cref="FixturesDirectory"/> is set).</summary>
    public bool UseEmbeddedFixtures { get; init; }

    /// <summary>Seeds every reply and every latency sample, so a run is reproducible.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Multiplies every simulated delay: 1.0 for performance scenarios, e.g. 0.05 for fast functional tests. Fault delays and retry-after values are not scaled.</summary>
    public double TimeScale { get; init; } = 1.0;

    /// <summary>Loopback port per provider id; a provider not listed (or 0) gets a free port.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; init; } = new Dictionary<string, int>();

    /// <summary>Which providers to start; null for all of <see cref="ProviderIds.All"/>.</summary>
    public IReadOnlyList<string>? Providers { get; init; }

    /// <summary>Bound of WireMock's own request log per server.</summary>
    public int MaxRequestLogCount { get; init; } = 200;

    /// <summary>Bound of each scope's request log; older entries are dropped first.</summary>
    public int MaxRequestsPerScope { get; init; } = 5_000;

    /// <summary>
    /// Record mode (explicit, needs live keys, never in CI): the providers named in <see cref="RecordOptions.UpstreamBaseUrls"/>
    /// forward chat completions and <c>/models</c> upstream and store scrubbed recordings. Null (default) = no upstream is ever contacted.
    /// </summary>
    public RecordOptions? Record { get; init; }

    /// <summary>Replay mode: a request matching a recording (method, endpoint, model, stream flag) is answered from it. Null (default) = off.</summary>
    public ReplayOptions? Replay { get; init; }

    /// <summary>
    /// When true, a stream's status and headers are sent as the request leaves the simulated queue, before the first
    /// token (as servers that start the SSE response at once do), instead of together with the first chunk (default,
    /// unchanged). The client then has its headers parsed before the first chunk is due, which takes that work out of
    /// client-side first-chunk timing under load. Faults that answer before the stream starts are unaffected.
    /// </summary>
    public bool StreamHeadersAtQueueExit { get; init; }

    /// <summary>
    /// Limits each provider enforces (by provider id); a provider not listed enforces none — the default: rate-limit
    /// headers are reported from the catalog, nothing is refused. Changeable while running with
    /// <see cref="SimulatedProvider.SetRateLimits"/> (or the control endpoint), per scope with <see cref="SimulatorScope.SetRateLimits"/>.
    /// </summary>
    public IReadOnlyDictionary<string, RateLimitOptions> RateLimits { get; init; } = new Dictionary<string, RateLimitOptions>();

    /// <summary>The clock of rate-limit windows and request-log times (tests pass a fake one); latency pacing keeps its own precise clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        foreach (var (id, limits) in RateLimits)
        {
            if (!ProviderIds.All.Contains(id)) throw new ArgumentException($"RateLimits: unknown provider '{id}'. Simulated providers: {string.Join(", ", ProviderIds.All)}.");
            limits.Validate(id);
        }
        foreach (var (id, url) in Record?.UpstreamBaseUrls ?? [])
        {
            if (!ProviderIds.All.Contains(id)) throw new ArgumentException($"Record: unknown provider '{id}'. Simulated providers: {string.Join(", ", ProviderIds.All)}.");
            if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                throw new ArgumentException($"Record: the upstream of '{id}' must be an absolute http(s) URL; got '{url}'.");
        }
        if (!double.IsFinite(TimeScale) || TimeScale < 0) throw new ArgumentException($"TimeScale must be a finite number >= 0; got {TimeScale}.");
        if (MaxRequestLogCount < 1 || MaxRequestsPerScope < 1) throw new ArgumentException("MaxRequestLogCount and MaxRequestsPerScope must be at least 1.");
        foreach (var (id, port) in Ports)
            if (port is < 0 or > 65535) throw new ArgumentException($"Port for '{id}' must be 0..65535; got {port}.");
        foreach (var id in (Providers ?? []).Concat(Ports.Keys))
            if (!ProviderIds.All.Contains(id)) throw new ArgumentException($"Unknown provider '{id}'. Simulated providers: {string.Join(", ", ProviderIds.All)}.");
    }
}

/// <summary>Finds the repository's <c>fixtures</c> folder.</summary>
public static class FixturesLocator
{
    // The repository root holds Specs.sln; Directory.Packages.props marks it too, for checkouts built without the solution.
    private static readonly string[] RootMarkers = ["Specs.sln", "Directory.Packages.props"];

    /// <summary>
    /// Walks up from <paramref name="startDirectory"/> (default <see cref="AppContext.BaseDirectory"/>) to the repository
    /// root (the folder holding <c>Specs.sln</c> or <c>Directory.Packages.props</c>) and returns its <c>fixtures</c> folder.
    /// </summary>
    public static string Find(string? startDirectory = null) =>
        TryFind(startDirectory) ?? throw new DirectoryNotFoundException(
            $"No repository root (a folder with Specs.sln and fixtures/simulators/) above '{startDirectory ?? AppContext.BaseDirectory}', so the fixtures folder cannot be found. Set SimulatorOptions.FixturesDirectory to the repository's fixtures folder.");

    /// <summary>
    /// Like <see cref="Find"/>, or null when no folder above holds this repository's fixtures. Only a <c>fixtures</c> folder
    /// with the simulators' own <c>simulators/</c> subfolder counts, so another solution's unrelated <c>fixtures/</c> is never taken.
    /// </summary>
    public static string? TryFind(string? startDirectory = null)
    {
        var start = startDirectory ?? AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (RootMarkers.Any(marker => File.Exists(Path.Combine(dir.FullName, marker))) && Directory.Exists(Path.Combine(dir.FullName, "fixtures", "simulators")))
                return Path.Combine(dir.FullName, "fixtures");
        return null;
    }
}
