using System.Collections.Concurrent;

namespace ProviderSpecs.Simulators;

/// <summary>
/// A scenario's own view of a simulated provider. Everything sent with <see cref="ApiKey"/> belongs to
/// this scope: its faults, latency overrides and request log never touch another scope, so scenarios
/// can run in parallel against one server.
/// </summary>
public sealed class SimulatorScope
{
    private readonly ConcurrentQueue<SimulatedRequest> _requests = new();
    private readonly Lock _faultLock = new();
    private readonly int _maxRequests;
    private List<ActiveFault> _faults = [];
    private int _ordinal;
    private int _tokensUsed;

    internal SimulatorScope(string providerId, string name, string apiKey, int maxRequests, SimulatorClock clock)
    {
        ProviderId = providerId;
        Name = name;
        ApiKey = apiKey;
        _maxRequests = maxRequests;
        RateLimitAccount = new RateLimitAccount(clock);
    }

    public string ProviderId { get; }
    public string Name { get; }

    /// <summary>A valid test key that routes requests to this scope. Fake and short; still, log <see cref="MaskedApiKey"/> instead.</summary>
    public string ApiKey { get; }

    public string MaskedApiKey => ApiKeyMask.Mask(ApiKey);

    /// <summary>The requests this scope received so far, in order of arrival (the latest <c>MaxRequestsPerScope</c>).</summary>
    public IReadOnlyList<SimulatedRequest> Requests => _requests.OrderBy(r => r.Ordinal).ToList();

    /// <summary>A latency profile used for every model of this scope instead of the fixture's; null for the fixture's.</summary>
    public ModelLatencyProfile? LatencyProfileOverride { get; private set; }

    /// <summary>A time scale used by this scope instead of <see cref="SimulatorOptions.TimeScale"/>; null for the global one.</summary>
    public double? TimeScaleOverride { get; private set; }

    /// <summary>
    /// Limits enforced for this scope instead of the provider's (<see cref="SimulatedProvider.RateLimits"/>); null for the
    /// provider's. Either way the scope is its own account: its windows never count another scope's requests.
    /// </summary>
    public RateLimitOptions? RateLimitsOverride { get; private set; }

    /// <summary>The faults asked for and not yet spent, in the order they are tried.</summary>
    public IReadOnlyList<InjectedFault> ActiveFaults
    {
        get
        {
            List<ActiveFault> faults;
            lock (_faultLock) faults = _faults;
            return faults.Where(f => !f.Spent).Select(f => new InjectedFault(FaultNames.NameOf(f.Kind), f.Options, f.Remaining)).ToList();
        }
    }

    /// <summary>Asks for a fault by its name (see <see cref="FaultNames"/>), e.g. <c>rate-limit-sequence</c>.</summary>
    public void InjectFault(string faultName, FaultOptions? options = null) => InjectFault(FaultNames.Parse(faultName), options);

    public void InjectFault(FaultKind kind, FaultOptions? options = null)
    {
        options ??= new FaultOptions();
        if (options.Count is < 1) throw new ArgumentException($"Fault count must be at least 1, or null for every request; got {options.Count}.", nameof(options));
        if (options.AfterChunks is < 0) throw new ArgumentException($"AfterChunks cannot be negative; got {options.AfterChunks}.", nameof(options));
        if (options.Delay is { } d && d < TimeSpan.Zero) throw new ArgumentException($"Delay cannot be negative; got {d}.", nameof(options));
        if (options.RetryAfter is { } r && r < TimeSpan.Zero) throw new ArgumentException($"RetryAfter cannot be negative; got {r}.", nameof(options));
        if (kind == FaultKind.CapacityExceeded && ProviderId != ProviderIds.Groq)
            throw new ArgumentException($"'{FaultNames.NameOf(kind)}' (HTTP 498) exists only at Groq; use 'overloaded' (503) for {ProviderId}.", nameof(kind));
        if (kind == FaultKind.ToolUseFailed && ProviderId != ProviderIds.Groq)
            throw new ArgumentException($"'{FaultNames.NameOf(kind)}' (HTTP 400 tool_use_failed) exists only at Groq, which checks a model's function calls before answering.", nameof(kind));
        lock (_faultLock) _faults = [.. _faults, new ActiveFault(kind, options)];
    }

    public void ClearFaults()
    {
        lock (_faultLock) _faults = [];
    }

    /// <summary>Enforces these limits for this scope only (e.g. <see cref="RateLimitOptions.FreePlan"/>); null to follow the provider's.</summary>
    public void SetRateLimits(RateLimitOptions? options)
    {
        options?.Validate(ProviderId);
        RateLimitsOverride = options;
    }

    /// <summary>Clears faults, the request log and the rate-limit windows; limits, latency overrides and ordinals stay.</summary>
    public void Reset()
    {
        ClearFaults();
        _requests.Clear();
        RateLimitAccount.Clear();
    }

    public void SetLatencyProfile(ModelLatencyProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.Problem() is { } problem) throw new ArgumentException($"Latency profile is not usable: {problem}.", nameof(profile));
        LatencyProfileOverride = profile;
    }

    /// <summary>
    /// How long a request arriving on a connection this scope has not used before waits before it is served: the set-up
    /// cost (TCP and TLS handshakes) of a provider far away, which a connection to 127.0.0.1 does not have. Null (the
    /// default): no such cost. Not scaled by the time scale. A pooled client pays it once per connection, a client that
    /// opens a new connection for every request pays it every time.
    /// </summary>
    public TimeSpan? NewConnectionDelay { get; private set; }

    /// <summary>Sets <see cref="NewConnectionDelay"/> (null for none).</summary>
    public void SetNewConnectionDelay(TimeSpan? delay)
    {
        if (delay is { } d && d < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(delay), delay, "The new-connection delay cannot be negative.");
        NewConnectionDelay = delay;
    }

    /// <summary>Scales every simulated delay of this scope (1.0 = real time, 0.05 = twenty times faster).</summary>
    public void UseLatencyScale(double scale)
    {
        if (!double.IsFinite(scale) || scale < 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The latency scale must be a finite number >= 0.");
        TimeScaleOverride = scale;
    }

    public override string ToString() => $"{ProviderId} scope '{Name}' ({MaskedApiKey})";

    /// <summary>This scope's Together fine-tuning jobs, by id.</summary>
    internal ConcurrentDictionary<string, FineTuneJob> FineTunes { get; } = new(StringComparer.Ordinal);

    /// <summary>This scope's rate-limit windows: the scope is one account.</summary>
    internal RateLimitAccount RateLimitAccount { get; }

    private readonly ConcurrentDictionary<string, byte> _connections = new(StringComparer.Ordinal);

    /// <summary>True the first time this scope sees a request on the connection with this id.</summary>
    internal bool IsNewConnection(string connectionId) => _connections.TryAdd(connectionId, 0);

    internal int NextOrdinal() => Interlocked.Increment(ref _ordinal);

    internal int RequestsReceived => Volatile.Read(ref _ordinal);

    internal int AddTokens(int tokens) => Interlocked.Add(ref _tokensUsed, tokens);

    /// <summary>Takes the first fault that applies to this request, or null.</summary>
    internal ActiveFault? TakeFault(RequestKind kind, string? model)
    {
        List<ActiveFault> faults;
        lock (_faultLock) faults = _faults;
        foreach (var fault in faults)
            if (fault.AppliesTo(kind, model) && fault.TryTake())
                return fault;
        return null;
    }

    internal void Record(SimulatedRequest request)
    {
        _requests.Enqueue(request);
        while (_requests.Count > _maxRequests && _requests.TryDequeue(out _)) { }
    }
}
