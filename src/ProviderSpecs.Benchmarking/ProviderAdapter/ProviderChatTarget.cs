using System.Diagnostics;
using Microsoft.Extensions.AI;
using ProviderSpecs.Benchmarking.Targets;
using ProviderSpecs.Providers.Budget;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Benchmarking.ProviderAdapter;

/// <summary>
/// Benchmarks one model of one provider through the provider layer (<see cref="ProviderSession"/> →
/// <see cref="ProviderChatClient"/>): each request streams one completion (or makes one non-streaming call) and
/// reports its content chunks, the provider's queue time (Groq usage.queue_time), its attempts, the 429s a retry
/// recovered from, and the final outcome by error key.
/// <para>Connections: <see cref="ConnectionMode.Pooled"/> shares one pooled HttpClient;
/// <see cref="ConnectionMode.NewConnectionPerRequest"/> builds a fresh HttpClient, session and chat client per
/// request (cold). Credentials: <see cref="CredentialResolutionMode.PerRequest"/> walks the credential chain for
/// every request, so comparing it with <see cref="CredentialResolutionMode.Once"/> measures authentication overhead;
/// <see cref="CredentialTiming"/> holds what the resolutions themselves cost.</para>
/// </summary>
public sealed class ProviderChatTarget : IBenchmarkTarget, IAsyncDisposable, IDisposable
{
    /// <summary>Error key of a request refused because the run's <see cref="ProviderChatTargetOptions.Budget"/> was spent (nothing sent).</summary>
    public const string BudgetExhaustedKey = ErrorKeys.BudgetExhausted;

    private static readonly AsyncLocal<RequestState?> Current = new();

    private readonly ProviderChatTargetOptions _options;
    private readonly ResilienceOptions _resilience;
    private readonly HttpClient _pooledHttp;
    private readonly ProviderSession _session;
    private readonly ProviderChatClient _chat;
    private readonly string _resolvedKey;
    private readonly ChatMessage[] _messages;
    private readonly ChatOptions _chatOptions;
    private long _credentialResolutions;
    private long _credentialTicks;
    private long _credentialMaxTicks;

    /// <summary>
    /// Resolves the provider and its key up front, so a bad provider id (<see cref="UnknownProviderException"/>) or a
    /// missing key (<see cref="Providers.Credentials.MissingCredentialException"/>) fails here, before any request.
    /// </summary>
    public ProviderChatTarget(ProviderChatTargetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        if (options.MaxConcurrency < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxConcurrency, "MaxConcurrency must be at least 1: give the highest concurrency the target is driven at.");
        if (options.MaxOutputTokens is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxOutputTokens, "MaxOutputTokens must be at least 1, or null for the provider's default.");
        _options = options;
        var definition = (options.Registry ?? ProviderRegistry.Default).Resolve(options.Provider);
        Provider = definition.Id;
        Model = options.Model;
        _resilience = options.Resilience with
        {
            MaxConcurrency = Math.Max(options.Resilience.MaxConcurrency, options.MaxConcurrency),
            MaxQueuedCalls = Math.Max(options.Resilience.MaxQueuedCalls, options.MaxConcurrency),
        };
        _messages = [new ChatMessage(ChatRole.User, options.Prompt)];
        _chatOptions = new ChatOptions { MaxOutputTokens = options.MaxOutputTokens, Temperature = options.Temperature };

        _pooledHttp = CreateHttpClient();
        try
        {
            _session = OpenSession(_pooledHttp, options.ApiKey);
            var started = Stopwatch.GetTimestamp();
            var credential = _session.Credential;
            if (options.CredentialResolution == CredentialResolutionMode.Once) NoteCredentialTime(Stopwatch.GetElapsedTime(started));
            _resolvedKey = credential.RequireKey();
            BaseUrl = _session.BaseUrl;
            _chat = _session.CreateChatClient(Model);
        }
        catch
        {
            _pooledHttp.Dispose();
            throw;
        }
    }

    public string Provider { get; }
    public string Model { get; }

    /// <summary>The base URL requests go to.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Requests completed (succeeded or failed), warm-up included; for progress displays.</summary>
    public long Completed => Interlocked.Read(ref _completed);
    private long _completed;

    /// <summary>Cost of the credential resolutions so far (one per target in <see cref="CredentialResolutionMode.Once"/>, one per request otherwise).</summary>
    public CredentialTiming CredentialTiming
    {
        get
        {
            var count = Interlocked.Read(ref _credentialResolutions);
            var ticks = Interlocked.Read(ref _credentialTicks);
            return new CredentialTiming(_options.CredentialResolution, count,
                count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(ticks / count), TimeSpan.FromTicks(Interlocked.Read(ref _credentialMaxTicks)));
        }
    }

    public async ValueTask<RequestOutcome> SendAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);

        var state = new RequestState(context, _resilience);
        Current.Value = state;
        var cold = context.ConnectionMode == ConnectionMode.NewConnectionPerRequest;
        var perRequestCredentials = _options.CredentialResolution == CredentialResolutionMode.PerRequest;
        HttpClient? coldHttp = null;
        ProviderSession? session = null;
        var chat = _chat;
        TimeSpan? credentialTime = null;
        var chunks = 0;
        try
        {
            if (cold || perRequestCredentials)
            {
                var http = cold ? coldHttp = CreateHttpClient() : _pooledHttp;
                session = OpenSession(http, perRequestCredentials ? _options.ApiKey : _resolvedKey);
                if (perRequestCredentials)
                {
                    var started = Stopwatch.GetTimestamp();
                    _ = session.Credential;
                    credentialTime = Stopwatch.GetElapsedTime(started);
                    NoteCredentialTime(credentialTime.Value);
                }
                chat = session.CreateChatClient(Model);
            }

            ChatResult result;
            if (_options.Streaming)
            {
                var stream = chat.Stream(_messages, _chatOptions);
                await foreach (var update in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    if (HasContent(update))
                    {
                        context.MarkChunk();
                        chunks++;
                    }
                }
                result = stream.Result;
            }
            else
            {
                result = await chat.CompleteAsync(_messages, _chatOptions, cancellationToken).ConfigureAwait(false);
                // Non-streaming: the first token is the whole reply (llmperf's convention), so TTFT equals e2e.
                context.MarkFirstToken();
            }

            context.SetAttempts(Math.Max(1, result.Attempts.Count));
            // Measured − served per request, when the target says what it served (the simulators do; real providers don't).
            // Only a request answered at its first attempt: after a retry the measured time holds the wait too.
            if (state.Served is { } served && result.Attempts.Count <= 1)
            {
                context.SetServedTiming(served.FirstChunk, served.ChunkGap ?? TimeSpan.Zero, served.ChunkGap is not null && chunks > 1 ? chunks - 1 : 0);
            }
            var queue = result.Usage?.ProviderTimings?.QueueTime;
            if (queue is { } q) context.SetQueueTime(q);
            var outputTokens = result.Usage?.OutputTokens;
            _options.OnCompleted?.Invoke(new ProviderChatObservation(true, null, 200, result.RequestId, result.TimeToFirstToken,
                result.Elapsed, chunks, outputTokens, queue, Math.Max(1, result.Attempts.Count), credentialTime));
            return RequestOutcome.Success(outputTokens is > 0 and <= int.MaxValue ? (int)outputTokens.Value : 0);
        }
        catch (ProviderException e) when (!cancellationToken.IsCancellationRequested)
        {
            context.SetAttempts(Math.Max(1, e.Attempts.Count));
            _options.OnCompleted?.Invoke(new ProviderChatObservation(false, e.ErrorKey, e.HttpStatus, e.RequestId, null,
                TimeSpan.Zero, chunks, null, null, Math.Max(1, e.Attempts.Count), credentialTime));
            return RequestOutcome.Failed(e.ErrorKey, e.HttpStatus, e.RateLimit?.SuggestedDelay);
        }
        finally
        {
            Current.Value = null;
            Interlocked.Increment(ref _completed);
            if (session is not null)
            {
                chat.Dispose();
                await session.DisposeAsync().ConfigureAwait(false);
            }
            coldHttp?.Dispose();
        }
    }

    /// <summary>
    /// Whether a chunk carries generated text: the answer's, or a reasoning model's thinking sent apart from it (it is
    /// generated, and counted, in the output tokens), so TTFT, ITL and TPOT cover the same tokens as the usage.
    /// </summary>
    private static bool HasContent(ChatResponseUpdate update)
    {
        // By index: a foreach over the IList may allocate an enumerator a chunk.
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
            if (contents[i] is TextContent { Text.Length: > 0 } or TextReasoningContent { Text.Length: > 0 }) return true;
        return false;
    }

    private ProviderSession OpenSession(HttpClient http, string? apiKey) =>
        ProviderSession.Open(_options.Provider, new ProviderSessionOptions
        {
            ApiKey = apiKey,
            BaseUrl = _options.BaseUrl,
            HttpClient = http,
            Resilience = _resilience,
            Environment = _options.Environment,
            Registry = _options.Registry,
            RateLimits = _options.RateLimits,
        });

    private HttpClient CreateHttpClient()
    {
        HttpMessageHandler handler = new RateLimitObserver
        {
            InnerHandler = new SocketsHttpHandler
            {
                ConnectTimeout = _resilience.ConnectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = int.MaxValue,
            },
        };
        // Every attempt, retries included, reserves from the budget before it leaves; a refused one fails with budget-exhausted.
        if (_options.Budget is { } budget) handler = new LiveBudgetHandler(budget, handler);
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private void NoteCredentialTime(TimeSpan elapsed)
    {
        Interlocked.Increment(ref _credentialResolutions);
        Interlocked.Add(ref _credentialTicks, elapsed.Ticks);
        var ticks = elapsed.Ticks;
        long seen;
        while (ticks > (seen = Interlocked.Read(ref _credentialMaxTicks)) && Interlocked.CompareExchange(ref _credentialMaxTicks, ticks, seen) != seen) { }
    }

    public async ValueTask DisposeAsync()
    {
        _chat.Dispose();
        await _session.DisposeAsync().ConfigureAwait(false);
        _pooledHttp.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public override string ToString() => $"ProviderChatTarget({Provider}/{Model} @ {BaseUrl}, {(_options.Streaming ? "streaming" : "non-streaming")}, credentials {_options.CredentialResolution})";

    /// <summary>Per-request state the HTTP handler reaches through an AsyncLocal: the context and the attempt count.</summary>
    private sealed class RequestState(RequestContext context, ResilienceOptions resilience)
    {
        private int _responses;

        /// <summary>What the last response said it served (the simulators' x-simulator-served header), or null.</summary>
        public (TimeSpan FirstChunk, TimeSpan? ChunkGap)? Served { get; private set; }

        /// <summary>How many responses this request received (attempts that got an answer).</summary>
        public int Responses => Volatile.Read(ref _responses);

        /// <summary>
        /// A 429 arrived. It is recorded as recovered when the pipeline will retry it (attempts left and a Retry-After it
        /// honours); the final 429 of a failed request is counted from the outcome instead, so nothing is counted twice.
        /// </summary>
        public void OnResponse(HttpResponseMessage response)
        {
            var attempt = Interlocked.Increment(ref _responses);
            Served = SimulatorServedHeader.Parse(response);
            if ((int)response.StatusCode != 429) return;
            var retryAfter = ParseRetryAfter(response);
            if (attempt <= resilience.MaxRetries && !(retryAfter > resilience.MaxRetryAfter))
                context.RecordRateLimited(retryAfter);
        }
    }

    /// <summary>Retry-After as seconds (providers send fractions such as <c>11.75</c>, which HttpClient's typed header rejects) or an HTTP date.</summary>
    private static TimeSpan? ParseRetryAfter(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("retry-after", out var values)) return null;
        var text = values.FirstOrDefault()?.Trim();
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var date)
            ? (date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow : TimeSpan.Zero)
            : null;
    }

    /// <summary>Sees every HTTP response of a benchmark request as it arrives (429s, with their Retry-After).</summary>
    private sealed class RateLimitObserver : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Current.Value?.OnResponse(response);
            return response;
        }
    }
}

/// <summary>What resolving the credential chain cost: count, mean and maximum per resolution.</summary>
public sealed record CredentialTiming(CredentialResolutionMode Mode, long Resolutions, TimeSpan Mean, TimeSpan Max);

/// <summary>
/// Reads the simulators' <c>x-simulator-served: first-chunk-ms=…; chunk-gap-ms=…</c> header (real providers never send
/// it). Parsed here, not with the simulators' code: the benchmark checks the simulator, so it does not share its code.
/// A header marked <c>planned</c> (headers sent before the first chunk) is not what was served, and is not used.
/// </summary>
internal static class SimulatorServedHeader
{
    public const string Name = "x-simulator-served";

    public static (TimeSpan FirstChunk, TimeSpan? ChunkGap)? Parse(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(Name, out var values)) return null;
        TimeSpan? first = null, gap = null;
        foreach (var part in string.Join(";", values).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "planned") return null;
            var equals = part.IndexOf('=');
            if (equals < 0 || !double.TryParse(part[(equals + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms)) continue;
            switch (part[..equals])
            {
                case "first-chunk-ms": first = TimeSpan.FromMilliseconds(ms); break;
                case "chunk-gap-ms": gap = TimeSpan.FromMilliseconds(ms); break;
            }
        }
        return first is { } f ? (f, gap) : null;
    }
}
