using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ProviderSpecs.Pacing;
using WireMock;
using WireMock.Logging;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace ProviderSpecs.Simulators;

/// <summary>
/// One simulated provider: a WireMock.Net server on 127.0.0.1 whose pipeline starts with this class's
/// middleware. The middleware authenticates, finds the scope, applies faults, adds the provider's
/// headers and serves chat completions itself (paced asynchronously, no thread held per stream);
/// catalog and unknown-URL answers come from WireMock mappings.
/// </summary>
public sealed class SimulatedProvider
{
    private static readonly JsonSerializerOptions WireJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly double TicksPerSecond = Stopwatch.Frequency;

    private readonly ProviderDialect _dialect;
    private readonly ModelCatalog _catalog;
    private readonly LatencyProfileSet _profiles;
    private readonly SimulatorOptions _options;
    private readonly CatalogModel _defaultModel;
    private readonly SimulatorClock _clock;
    private readonly ConcurrentDictionary<string, SimulatorScope> _scopes = new(StringComparer.Ordinal);
    private WireMockServer? _server;
    private int _scopeCounter;
    private RecordingProxy? _recorder;
    private RecordingSet? _recordings;
    private volatile RateLimitOptions _rateLimits;
    private double _timeScale;

    private SimulatedProvider(ProviderDialect dialect, ModelCatalog catalog, LatencyProfileSet profiles, SimulatorOptions options)
    {
        _dialect = dialect;
        _catalog = catalog;
        _profiles = profiles;
        _options = options;
        _defaultModel = catalog.Models[0];
        _clock = new SimulatorClock(options.TimeProvider);
        _rateLimits = options.RateLimits.GetValueOrDefault(dialect.Id) ?? RateLimitOptions.None;
        _timeScale = options.TimeScale;
        DefaultScope = AddScope("default", dialect.ApiKeyPrefix + "default_key");
        Control = new ControlEndpoint(this, catalog, WireJson);
    }

    /// <summary>The provider id, as in the registry: <c>groq</c> or <c>together_ai</c>.</summary>
    public string Id => _dialect.Id;

    /// <summary>The base URL a client is configured with, e.g. <c>http://127.0.0.1:41234/openai/v1</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public int Port { get; private set; }

    /// <summary>
    /// The control endpoint, e.g. <c>http://127.0.0.1:41234/__simulator/</c>: faults, limits, time scale, the default
    /// scope's request log and reset, as JSON, for a client's tests in another process (see the README).
    /// </summary>
    public Uri ControlUrl { get; private set; } = null!;

    /// <summary>What this provider enforces for scopes without their own limits (<see cref="SimulatorScope.SetRateLimits"/>).</summary>
    public RateLimitOptions RateLimits => _rateLimits;

    /// <summary>Changes the enforced limits of every scope that has none of its own. Windows keep what they counted.</summary>
    public void SetRateLimits(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(Id);
        _rateLimits = options;
    }

    /// <summary>Multiplies every simulated delay of scopes without their own scale; starts at <see cref="SimulatorOptions.TimeScale"/>.</summary>
    public double TimeScale
    {
        get => Volatile.Read(ref _timeScale);
        set
        {
            if (!double.IsFinite(value) || value < 0)
                throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The time scale must be a finite number >= 0, e.g. 1 or 0.1; got {value}."));
            Volatile.Write(ref _timeScale, value);
        }
    }

    /// <summary>
    /// Asks the default scope (the one <see cref="DefaultApiKey"/> belongs to) for a fault, refusing a model this
    /// provider does not serve (the fault would never fire). Used by <c>simulate --fault</c> and the control endpoint.
    /// </summary>
    public void InjectDefaultFault(FaultKind kind, FaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Model is { } model && _catalog.Find(model) is null)
            throw new ArgumentException(
                $"{Id} serves no model '{model}', so the fault would never apply. Models: {string.Join(", ", _catalog.Models.Where(m => m.SupportsChat).Select(m => m.Id))}.");
        if (options.Model is not null && kind == FaultKind.CatalogUnavailable)
            throw new ArgumentException($"'{FaultNames.NameOf(kind)}' applies to GET /models, not to one model; give it without a model.");
        DefaultScope.InjectFault(kind, options);
    }

    internal ControlEndpoint Control { get; }

    /// <summary>The windows enforced for a scope and model, with their limits; empty when nothing is enforced.</summary>
    internal IReadOnlyList<(RateLimitWindow Window, int Limit)> EnforcedLimits(SimulatorScope scope, CatalogModel model)
    {
        var options = scope.RateLimitsOverride ?? _rateLimits;
        if (!options.Enforced) return [];
        var limits = new List<(RateLimitWindow, int)>();
        foreach (var window in RateLimitWindows.Of(Id))
            if (options.LimitFor(window, model.FreePlan) is { } limit)
                limits.Add((window, limit));
        return limits;
    }

    /// <summary>A valid test key of the shared <see cref="DefaultScope"/> (e.g. <c>gsk_sim_default_key</c>).</summary>
    public string DefaultApiKey => DefaultScope.ApiKey;

    public SimulatorScope DefaultScope { get; }

    /// <summary>The model ids of the simulated catalog.</summary>
    public IReadOnlyList<string> ModelIds => _catalog.Models.Select(m => m.Id).ToList();

    /// <summary>The latency profiles read from the fixtures.</summary>
    public LatencyProfileSet LatencyProfiles => _profiles;

    /// <summary>Opens an isolated scope with a fresh valid key; everything sent with that key is the scope's alone.</summary>
    public SimulatorScope OpenScope(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A scope needs a name (e.g. the scenario title), used to seed its timings.", nameof(name));
        var number = Interlocked.Increment(ref _scopeCounter);
        var suffix = StableRandom.Hex(Random.Shared, 4);
        return AddScope(name, $"{_dialect.ApiKeyPrefix}{number:x4}{suffix}");
    }

    public override string ToString() => $"simulated {Id} at {BaseUrl}";

    /// <summary>True when this provider forwards to a live upstream and records (<see cref="SimulatorOptions.Record"/>).</summary>
    public bool IsRecording => _recorder is not null;

    /// <summary>How many recordings this provider replays (<see cref="SimulatorOptions.Replay"/>); 0 when replay is off.</summary>
    public int RecordingCount => _recordings?.Count ?? 0;

    /// <summary>The recording file written last in record mode, or null.</summary>
    public string? LastRecordingPath => _recorder?.LastSaved;

    internal static SimulatedProvider Start(ProviderDialect dialect, FixtureFiles fixtures, SimulatorOptions options, int port)
    {
        var catalog = ModelCatalog.Load(fixtures, $"simulators/{dialect.CatalogFileName}", dialect.ContextWindowField, dialect.MaxCompletionField, RateLimitWindows.Of(dialect.Id));
        var profiles = LatencyProfileSet.Load(fixtures, $"latency-profiles/{dialect.Id}.json");
        var provider = new SimulatedProvider(dialect, catalog, profiles, options);
        if (options.Record is { } record && record.UpstreamBaseUrls.TryGetValue(dialect.Id, out var upstream))
            provider._recorder = new RecordingProxy(dialect.Id, upstream, RecordingFiles.ForRecording(record.Directory, fixtures),
                record.UpstreamApiKeys.GetValueOrDefault(dialect.Id), record.UpstreamTimeout);
        if (options.Replay is { } replay && RecordingFiles.ForReplay(replay.Directory, fixtures) is { } replayFrom)
            provider._recordings = RecordingSet.Load(replayFrom, dialect.Id);

        var server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{port}"],
            StartAdminInterface = false,
            MaxRequestLogCount = options.MaxRequestLogCount,
            Logger = new WireMockNullLogger(),
            PreWireMockMiddlewareInit = app => ((IApplicationBuilder)app).Use(provider.InvokeAsync),
        });
        provider._server = server;
        provider.Port = server.Port;
        provider.BaseUrl = new Uri($"http://127.0.0.1:{server.Port}{dialect.PathPrefix}");
        provider.ControlUrl = new Uri($"http://127.0.0.1:{server.Port}{ControlEndpoint.Prefix}/");
        provider.AddMappings(server);
        return provider;
    }

    internal void Stop()
    {
        _server?.Stop();
        _server?.Dispose();
        _recorder?.Dispose();
    }

    private SimulatorScope AddScope(string name, string key)
    {
        var scope = new SimulatorScope(_dialect.Id, name, key, _options.MaxRequestsPerScope, _clock);
        if (!_scopes.TryAdd(key, scope)) throw new InvalidOperationException($"Scope key {ApiKeyMask.Mask(key)} is already in use.");
        return scope;
    }

    // ---- WireMock mappings: the catalog and every URL the provider does not serve ----

    private void AddMappings(WireMockServer server)
    {
        var prefix = _dialect.PathPrefix;
        server.Given(Request.Create().UsingGet().WithPath(prefix + "/models")).AtPriority(10)
            .RespondWith(Json(200, _dialect.ModelList(_catalog.Models)));

        if (_dialect is GroqDialect)
        {
            foreach (var model in _catalog.Models)
                server.Given(Request.Create().UsingGet().WithPath(prefix + "/models/" + model.Id)).AtPriority(10)
                    .RespondWith(Json(200, model.Served));
            server.Given(Request.Create().UsingGet().WithPath(new WildcardMatcher(prefix + "/models/*"))).AtPriority(20)
                .RespondWith(Response.Create().WithCallback(request =>
                    JsonMessage(_dialect.ModelNotFound(request.Path[(prefix.Length + "/models/".Length)..]))));
        }

        server.Given(Request.Create().WithPath(new RegexMatcher(".*"))).AtPriority(1000)
            .RespondWith(Response.Create().WithCallback(request => JsonMessage(_dialect.UnknownUrl(request.Method, request.Path))));
    }

    private static IResponseBuilder Json(int status, JsonNode body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body.ToJsonString(WireJson));

    private IResponseMessage JsonMessage(ErrorReply error) => new ResponseMessage
    {
        StatusCode = error.Status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData
        {
            BodyAsString = _dialect.RenderError(error).ToJsonString(WireJson),
            DetectedBodyType = BodyType.String,
            Encoding = Encoding.UTF8,
        },
    };

    // ---- The middleware in front of WireMock ----

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var arrival = Stopwatch.GetTimestamp();
        var path = context.Request.Path.Value ?? "";
        if (ControlEndpoint.Serves(path))
        {
            await Control.HandleAsync(context);
            return;
        }
        if (!path.StartsWith(_dialect.PathPrefix + "/", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        var key = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : "";
        if (_recorder is not null && RecordingProxy.Records(context.Request.Method, path[_dialect.PathPrefix.Length..]))
        {
            // Record mode: the upstream authenticates; the simulator only forwards, streams back and stores.
            await _recorder.ProxyAsync(context, path[_dialect.PathPrefix.Length..], _scopes.ContainsKey(key));
            return;
        }
        if (!_scopes.TryGetValue(key, out var scope))
        {
            await WriteErrorAsync(context, _dialect.InvalidApiKey());
            return;
        }

        if (scope.NewConnectionDelay is { } setUp && setUp > TimeSpan.Zero && scope.IsNewConnection(context.Connection.Id))
        {
            // The handshakes of a far-away provider happen before the request reaches it: the request "arrives" after them.
            await PrecisePacer.Shared.WaitUntilAsync(arrival + (long)(setUp.TotalSeconds * Stopwatch.Frequency), context.RequestAborted);
            arrival = Stopwatch.GetTimestamp();
        }
        var exchange = new Exchange(context, scope, scope.NextOrdinal(), arrival) { ReceivedAt = _clock.UtcNow() };
        exchange.Rng = StableRandom.From(_options.Seed, _dialect.Id, scope.Name, exchange.Ordinal);
        exchange.RequestId = _dialect.NewRequestId(exchange.Rng);
        context.Response.Headers["x-request-id"] = exchange.RequestId;
        if (_dialect is TogetherDialect) context.Response.Headers["x-together-traceid"] = exchange.RequestId;
        var defaultLimits = EnforcedLimits(scope, _defaultModel);
        AddRateLimitHeaders(context.Response.Headers, scope, _defaultModel, 0, defaultLimits.Count == 0 ? null : scope.RateLimitAccount.For(_defaultModel.Id).Peek(defaultLimits));

        var relative = path[_dialect.PathPrefix.Length..];
        if (HttpMethods.IsPost(context.Request.Method) && relative == "/chat/completions")
        {
            await HandleChatAsync(exchange);
            return;
        }

        if (_dialect is TogetherDialect && (relative == "/fine-tunes" || relative.StartsWith("/fine-tunes/", StringComparison.Ordinal)))
        {
            var (status, body) = await FineTuning.HandleAsync(context, scope, relative, _catalog, exchange.Rng);
            exchange.Record(status);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body.ToJsonString(WireJson), context.RequestAborted);
            return;
        }

        var isCatalog = HttpMethods.IsGet(context.Request.Method) && (relative == "/models" || relative.StartsWith("/models/", StringComparison.Ordinal));
        if (isCatalog && _recordings?.Find("GET", relative, null, false, exchange.Ordinal) is { } recordedCatalog)
        {
            await ReplayAsync(exchange, recordedCatalog);
            return;
        }
        if (isCatalog && scope.TakeFault(RequestKind.Catalog, null) is { } fault)
        {
            exchange.Faults.Add(FaultNames.NameOf(fault.Kind));
            await exchange.FailAsync(this, _dialect.Overloaded());
            return;
        }

        // WireMock writes the answer; the record is taken when the status is known, before the client can see it.
        context.Response.OnStarting(() =>
        {
            exchange.Record(context.Response.StatusCode);
            return Task.CompletedTask;
        });
        await next(context);
    }

    private async Task HandleChatAsync(Exchange exchange)
    {
        var context = exchange.Context;
        exchange.Body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);

        var contentType = context.Request.ContentType;
        if (contentType is null || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await exchange.FailAsync(this, _dialect.WrongContentType(contentType));
            return;
        }

        var (request, invalid) = ChatRequest.Parse(exchange.Body, _dialect);
        if (request is null)
        {
            await exchange.FailAsync(this, invalid!);
            return;
        }
        exchange.Model = request.Model;
        exchange.Stream = request.Stream;
        if (_recordings?.Find("POST", "/chat/completions", request.Model, request.Stream, exchange.Ordinal) is { } recorded)
        {
            await ReplayAsync(exchange, recorded);
            return;
        }

        var model = _catalog.Find(request.Model);
        if (model is null)
        {
            await exchange.FailAsync(this, _dialect.ModelNotFound(request.Model));
            return;
        }
        var limits = EnforcedLimits(exchange.Scope, model);
        AddRateLimitHeaders(context.Response.Headers, exchange.Scope, model, 0, limits.Count == 0 ? null : exchange.Scope.RateLimitAccount.For(model.Id).Peek(limits));

        exchange.PromptTokens = ReplyGenerator.CountPromptTokens(request.MessageContents);
        var refusal = Validate(request, model, exchange.PromptTokens, tokensEnforced: limits.Any(l => RateLimitWindows.CountsTokens(l.Window)));
        var reasoning = ReasoningDecision.NoReasoning;
        if (refusal is null) refusal = _dialect.DecideReasoning(request, model, out reasoning);
        if (refusal is not null)
        {
            await exchange.FailAsync(this, refusal);
            return;
        }
        var answer = PlannedAnswer.For(request, _options.Seed, _dialect.NaturalFinishReason, reasoning);

        RateLimitDecision? admitted = null;
        if (limits.Count > 0)
        {
            // A request reserves its prompt and the most it may be answered with; corrected to what was served when done.
            var decision = exchange.Scope.RateLimitAccount.For(model.Id).Admit(limits, answer.PromptTokens + (request.MaxTokens ?? answer.CompletionTokens));
            if (decision.Refusal is { } limited)
            {
                AddRateLimitHeaders(context.Response.Headers, exchange.Scope, model, 0, decision.State);
                exchange.RateLimitedBy = RateLimitWindows.Describe(limited.Window);
                if (limited.Wait is { } wait)
                {
                    context.Response.Headers["retry-after"] = ProviderDialect.RetryAfterSeconds(wait);
                    exchange.RetryAfter = wait;
                }
                await exchange.FailAsync(this, _dialect.RateLimitExceeded(model.Id, limited));
                return;
            }
            exchange.AdmittedAt = decision.At;
            admitted = decision;
        }

        var fault = exchange.Scope.TakeFault(request.Stream ? RequestKind.StreamingChat : RequestKind.Chat, model.Id);
        if (fault is not null) exchange.Faults.Add(FaultNames.NameOf(fault.Kind));
        if (await TryServeImmediateFaultAsync(exchange, fault, model)) return;

        var requestTokens = answer.PromptTokens + answer.CompletionTokens;
        exchange.Scope.AddTokens(requestTokens);
        AddRateLimitHeaders(context.Response.Headers, exchange.Scope, model, requestTokens, admitted?.State);

        var profile = exchange.Scope.LatencyProfileOverride ?? _profiles.For(model.Id);
        var plan = PacingPlan.Sample(profile, exchange.Rng, exchange.Scope.TimeScaleOverride ?? TimeScale);
        var identity = new CompletionIdentity(
            _dialect.NewCompletionId(exchange.Rng),
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            model.Id,
            exchange.RequestId,
            "fp_" + StableRandom.Hex(StableRandom.From(_dialect.Id, model.Id), 10),
            request.Seed ?? exchange.Rng.Next());
        var firstTokenDelay = fault?.Kind == FaultKind.SlowFirstToken ? (fault.Options.Delay ?? TimeSpan.FromSeconds(10)).TotalSeconds : 0;

        try
        {
            if (request.Stream) await StreamAsync(exchange, request, answer, plan, identity, firstTokenDelay, fault);
            else await RespondAsync(exchange, answer, plan, identity, firstTokenDelay);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left mid-answer: keep what was served.
            exchange.Faults.Add("client-disconnected");
            exchange.Record(context.Response.StatusCode);
        }
        finally
        {
            // The answer is over: the token windows keep what it used (prompt + the answer's tokens), not the reservation.
            admitted?.Ticket?.Settle(requestTokens);
        }
    }

    /// <summary>Answers from a recording: its status, kept headers and body, a fresh request id, SSE events paced by the recorded gaps.</summary>
    private async Task ReplayAsync(Exchange exchange, Recording recording)
    {
        var context = exchange.Context;
        var ct = context.RequestAborted;
        var response = context.Response;
        var scale = _options.Replay!.Paced ? exchange.Scope.TimeScaleOverride ?? TimeScale : 0;
        string Fresh(string text) => text.Replace(RecordingScrubber.RequestIdPlaceholder, exchange.RequestId, StringComparison.Ordinal);
        exchange.Faults.Add("replayed");
        response.StatusCode = recording.Status;
        foreach (var (name, value) in recording.Headers) response.Headers[name] = Fresh(value);

        try
        {
            if (recording.Chunks is { } chunks)
            {
                response.ContentType = recording.Headers.GetValueOrDefault("content-type") ?? "text/event-stream";
                var offset = 0.0;
                var sent = new List<double>();
                for (var i = 0; i < chunks.Count; i++)
                {
                    offset += chunks[i].GapMs / 1000 * scale;
                    await DelayUntilAsync(exchange.Arrival, offset, ct);
                    if (i == chunks.Count - 1 || chunks[i].Data == "[DONE]")
                    {
                        exchange.Timing = StreamTiming(0, sent, Elapsed(exchange.Arrival));
                        exchange.Record(recording.Status);
                    }
                    await response.WriteAsync("data: " + Fresh(chunks[i].Data) + "\n\n", ct);
                    await response.Body.FlushAsync(ct);
                    if (chunks[i].Data != "[DONE]") sent.Add(Elapsed(exchange.Arrival));
                }
                exchange.Timing = StreamTiming(0, sent, Elapsed(exchange.Arrival));
                exchange.Record(recording.Status);
                return;
            }

            await DelayUntilAsync(exchange.Arrival, (recording.TotalMs ?? 0) / 1000 * scale, ct);
            var body = recording.Body switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var text) => text,
                var node => node.ToJsonString(WireJson),
            };
            exchange.Timing = new ServedTiming { FirstChunkDelay = TimeSpan.FromSeconds(Elapsed(exchange.Arrival)), ChunkCount = 1, Total = TimeSpan.FromSeconds(Elapsed(exchange.Arrival)) };
            exchange.Record(recording.Status);
            if (recording.Headers.GetValueOrDefault("content-type") is { } type) response.ContentType = type;
            await response.WriteAsync(Fresh(body), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            exchange.Faults.Add("client-disconnected");
            exchange.Record(response.StatusCode);
        }
    }

    private ErrorReply? Validate(ChatRequest request, CatalogModel model, int promptTokens, bool tokensEnforced)
    {
        if (_dialect.UnsupportedField(request, model) is { } field) return field;
        if (!model.SupportsChat) return _dialect.NotAChatModel(model.Id);
        if (_dialect.UnsupportedN(request.N) is { } n) return n;
        if (request.ResponseFormat == "json_schema" && !model.SupportsJsonSchema && _dialect.JsonSchemaUnsupported(model.Id) is { } schema) return schema;
        if (request.MaxTokens > model.MaxCompletionTokens)
            return _dialect.InvalidField(
                $"`max_tokens` must be less than or equal to `{model.MaxCompletionTokens}`, the maximum value for `max_tokens` is less than the `context_window` for this model",
                "max_tokens");
        if (promptTokens + (request.MaxTokens ?? 0) > model.ContextWindow) return _dialect.ContextLengthExceeded(model, promptTokens, request.MaxTokens);
        // With enforced token windows the admission decides (prompt + max tokens against the enforced limit).
        return tokensEnforced ? null : _dialect.RequestTooLarge(model, promptTokens);
    }

    private async Task<bool> TryServeImmediateFaultAsync(Exchange exchange, ActiveFault? fault, CatalogModel model)
    {
        var response = exchange.Context.Response;
        switch (fault?.Kind)
        {
            case FaultKind.RateLimitSequence:
                var retryAfter = fault.Options.RetryAfter ?? TimeSpan.FromSeconds(1);
                exchange.RetryAfter = retryAfter;
                _dialect.AddRateLimitedHeaders(response.Headers, model.RateLimits, retryAfter);
                await exchange.FailAsync(this, _dialect.RateLimited(model.Id, model.RateLimits, retryAfter));
                return true;
            case FaultKind.Overloaded:
                await exchange.FailAsync(this, _dialect.Overloaded());
                return true;
            case FaultKind.CapacityExceeded:
                await exchange.FailAsync(this, ((GroqDialect)_dialect).CapacityExceeded());
                return true;
            case FaultKind.ToolUseFailed:
                await exchange.FailAsync(this, ((GroqDialect)_dialect).ToolUseFailed());
                return true;
            case FaultKind.ServerError:
                await exchange.FailAsync(this, _dialect.ServerError());
                return true;
            case FaultKind.BadGateway:
                exchange.Record(502);
                response.StatusCode = 502;
                response.ContentType = "text/html";
                await response.WriteAsync("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n");
                return true;
            case FaultKind.ConnectionReset when !exchange.Stream || (fault.Options.AfterChunks ?? 0) == 0:
                exchange.Record(0);
                exchange.Context.Abort();
                return true;
            case FaultKind.EmptyBody:
                exchange.Record(200);
                response.StatusCode = 200;
                response.ContentType = exchange.Stream ? "text/event-stream" : "application/json";
                response.ContentLength = 0;
                return true;
            case FaultKind.MalformedJson:
                exchange.Record(200);
                response.StatusCode = 200;
                response.ContentType = "application/json";
                await response.WriteAsync($"{{\"id\":\"{_dialect.NewCompletionId(exchange.Rng)}\",\"object\":\"chat.completion\",\"model\":\"{model.Id}\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assis");
                return true;
            default:
                return false;
        }
    }

    private async Task RespondAsync(Exchange exchange, PlannedAnswer answer, PacingPlan plan, CompletionIdentity identity, double firstTokenDelay)
    {
        var ct = exchange.Context.RequestAborted;
        await DelayUntilAsync(exchange.Arrival, plan.QueueSeconds, ct);
        var queued = Elapsed(exchange.Arrival);
        var firstTokenAt = plan.QueueSeconds + plan.TimeToFirstTokenSeconds + firstTokenDelay;
        await DelayUntilAsync(exchange.Arrival, firstTokenAt, ct);
        var firstToken = Elapsed(exchange.Arrival);
        var readyAt = firstTokenAt + answer.CompletionTokens / plan.TokensPerSecond;
        await DelayUntilAsync(exchange.Arrival, readyAt, ct);
        var done = Elapsed(exchange.Arrival);

        var usage = new CompletionUsage(answer.PromptTokens, answer.CompletionTokens, queued, firstToken - queued, done - firstToken, answer.ThinkingTokens);
        var body = _dialect.Completion(identity, answer, usage).ToJsonString(WireJson);
        exchange.CompletionTokens = answer.CompletionTokens;
        exchange.FinishReason = answer.FinishReason;
        exchange.Timing = new ServedTiming
        {
            QueueDelay = TimeSpan.FromSeconds(queued),
            FirstChunkDelay = TimeSpan.FromSeconds(done),
            PlannedFirstChunkDelay = TimeSpan.FromSeconds(readyAt),
            ChunkCount = 1,
            Total = TimeSpan.FromSeconds(done),
        };
        exchange.Record(200);
        var response = exchange.Context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        // The whole answer is the first (and only) chunk: when it was due to leave, as the request log records it.
        response.Headers[ServedTimingHeader.Name] = ServedTimingHeader.Format(done, chunkGapSeconds: null);
        await response.WriteAsync(body, ct);
    }

    private async Task StreamAsync(Exchange exchange, ChatRequest request, PlannedAnswer answer, PacingPlan plan, CompletionIdentity identity, double firstTokenDelay, ActiveFault? fault)
    {
        var context = exchange.Context;
        var ct = context.RequestAborted;
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";

        await DelayUntilAsync(exchange.Arrival, plan.QueueSeconds, ct);
        var queued = Elapsed(exchange.Arrival);
        var firstAt = plan.QueueSeconds + plan.TimeToFirstTokenSeconds + firstTokenDelay;
        var chunkGap = plan.TokensPerChunk / plan.TokensPerSecond;
        var chunks = StreamPieces(answer, plan.TokensPerChunk, identity, request.IncludeUsage);
        // Hidden thinking is generated, and takes its time, before anything is sent.
        var firstSentAt = firstAt + (chunks.Count > 0 ? chunks[0].TokensBefore : answer.HiddenReasoningTokens) / plan.TokensPerSecond;
        if (_options.StreamHeadersAtQueueExit)
        {
            // The headers leave before the first chunk: they can only say when it is planned to.
            response.Headers[ServedTimingHeader.Name] = ServedTimingHeader.Format(firstSentAt, chunkGap, planned: true);
            await response.StartAsync(ct);
        }

        var streamFault = fault?.Kind is FaultKind.TruncatedStream or FaultKind.GarbageChunk or FaultKind.StalledStream or FaultKind.ConnectionReset ? fault : null;
        var faultAt = streamFault is null ? -1 : Math.Min(chunks.Count, streamFault.Options.AfterChunks ?? 2);
        var sent = new List<double>();
        var builder = new StringBuilder();
        foreach (var opening in _dialect.OpeningChunks(identity, request.IncludeUsage)) AppendEvent(builder, opening);
        var opened = Encoding.UTF8.GetBytes(builder.ToString()); // sent with the first chunk, if there is one
        if (chunks.Count > 0) builder.Clear();
        var contentTemplate = ContentChunkTemplate.For(_dialect, identity, request.IncludeUsage, WireJson);
        var reasoningTemplate = answer.ReasoningTokens.Count > 0 ? ContentChunkTemplate.For(_dialect, identity, request.IncludeUsage, WireJson, reasoning: true) : null;

        for (var i = 0; i <= chunks.Count; i++)
        {
            if (i == faultAt)
            {
                var stop = await ServeStreamFaultAsync(exchange, streamFault!, answer, queued, sent, ct);
                if (stop) return;
            }
            if (i == chunks.Count) break;

            // Rendered before the wait, so a wake-up only has bytes to write: the due time is not spent building JSON.
            var bytes = chunks[i] switch
            {
                { Whole: { } whole } => [.. (i == 0 ? opened : []), .. Encoding.UTF8.GetBytes("data: " + whole.ToJsonString(WireJson) + "\n\n")],
                { Reasoning: true } => reasoningTemplate!.Render(chunks[i].Text, i == 0 ? opened : []),
                _ => contentTemplate.Render(chunks[i].Text, i == 0 ? opened : []),
            };
            await DelayUntilAsync(exchange.Arrival, firstAt + chunks[i].TokensBefore / plan.TokensPerSecond, ct);
            // The headers go out with the first chunk: they say when it left, so a client can take measured − served.
            if (!response.HasStarted) response.Headers[ServedTimingHeader.Name] = ServedTimingHeader.Format(Elapsed(exchange.Arrival), chunkGap);
            await response.Body.WriteAsync(bytes, ct);
            await response.Body.FlushAsync(ct);
            sent.Add(Elapsed(exchange.Arrival));
        }

        if (chunks.Count == 0)
        {
            // Nothing to say (a stop string at the very start, or a limit spent on hidden thinking): the opening chunks
            // still go out, when the answer would have started.
            await DelayUntilAsync(exchange.Arrival, firstSentAt, ct);
            sent.Add(Elapsed(exchange.Arrival));
        }
        var first = sent[0];
        var last = sent[^1];
        var usage = new CompletionUsage(answer.PromptTokens, answer.CompletionTokens, queued, first - queued, last - first, answer.ThinkingTokens);
        foreach (var closing in _dialect.ClosingChunks(identity, answer.FinishReason, usage, request.IncludeUsage)) AppendEvent(builder, closing);
        builder.Append("data: [DONE]\n\n");

        exchange.CompletionTokens = answer.CompletionTokens;
        exchange.FinishReason = answer.FinishReason;
        exchange.Timing = StreamTiming(queued, sent, Elapsed(exchange.Arrival)) with { PlannedFirstChunkDelay = TimeSpan.FromSeconds(firstSentAt) };
        exchange.Record(200);
        await response.WriteAsync(builder.ToString(), ct);
        await response.Body.FlushAsync(ct);
    }

    /// <summary>
    /// One chunk of a stream: its text, whether it is thinking sent apart, the tokens generated before it (hidden thinking
    /// included), which decide when it is due, or — for a function call — the <see cref="Whole"/> chunk.
    /// </summary>
    private readonly record struct StreamPiece(string Text, bool Reasoning, int TokensBefore, JsonObject? Whole = null);

    // Thinking first, then the answer, then its function calls, each whole in a chunk of its own when it has been
    // written; a chunk never mixes them, as a delta carries one or the other.
    private List<StreamPiece> StreamPieces(PlannedAnswer answer, int tokensPerChunk, CompletionIdentity identity, bool includeUsage)
    {
        var pieces = new List<StreamPiece>();
        var before = answer.HiddenReasoningTokens;
        foreach (var (tokens, reasoning) in new[] { (answer.ReasoningTokens, true), (answer.Tokens, false) })
            foreach (var chunk in tokens.Chunk(tokensPerChunk))
            {
                pieces.Add(new StreamPiece(string.Concat(chunk), reasoning, before));
                before += chunk.Length;
            }
        foreach (var (call, index) in answer.ToolCalls.Select((c, i) => (c, i)))
        {
            before += call.Tokens;
            pieces.Add(new StreamPiece("", false, before - 1, _dialect.ToolCallChunk(identity, call, index, includeUsage)));
        }
        return pieces;
    }

    /// <summary>Serves a mid-stream fault; true when the stream ends here.</summary>
    private static async Task<bool> ServeStreamFaultAsync(Exchange exchange, ActiveFault fault, PlannedAnswer answer, double queued, List<double> sent, CancellationToken ct)
    {
        var response = exchange.Context.Response;
        exchange.Timing = StreamTiming(queued, sent, Elapsed(exchange.Arrival));
        switch (fault.Kind)
        {
            case FaultKind.GarbageChunk:
                await response.WriteAsync("data: {\"id\":\"chatcmpl-garbage\",\"choices\":[{\"delta\":{\"content\":<<upstream hiccup>>\n\n", ct);
                await response.Body.FlushAsync(ct);
                return false;
            case FaultKind.TruncatedStream:
                exchange.Record(200);
                await response.Body.FlushAsync(ct);
                return true;
            case FaultKind.ConnectionReset:
                exchange.Record(200);
                await response.Body.FlushAsync(ct);
                // A reset at once would make the kernel discard chunks the client has not read yet; a real connection
                // breaks some time after its last chunk, so the client sees them and then the reset.
                await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
                exchange.Context.Abort();
                return true;
            case FaultKind.StalledStream:
                exchange.Record(200);
                await response.Body.FlushAsync(ct);
                try
                {
                    await Task.Delay(fault.Options.Delay ?? TimeSpan.FromSeconds(30), ct);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, which is what a stall is meant to provoke.
                }
                return true;
            default:
                return false;
        }
    }

    private static ServedTiming StreamTiming(double queued, List<double> sent, double total) => new()
    {
        QueueDelay = TimeSpan.FromSeconds(queued),
        FirstChunkDelay = sent.Count > 0 ? TimeSpan.FromSeconds(sent[0]) : null,
        ChunkGaps = sent.Zip(sent.Skip(1), (a, b) => TimeSpan.FromSeconds(b - a)).ToList(),
        ChunkCount = sent.Count,
        Total = TimeSpan.FromSeconds(total),
    };

    private static void AppendEvent(StringBuilder builder, JsonObject chunk) =>
        builder.Append("data: ").Append(chunk.ToJsonString(WireJson)).Append("\n\n");

    private static double Elapsed(long since) => (Stopwatch.GetTimestamp() - since) / TicksPerSecond;

    // Waits until an absolute offset from arrival, so lateness of one wait does not add up over a stream. The precise
    // pacer, not Task.Delay: the timer queue's coarse clock (1-4 ms steps on Linux) would end the waits of many streams
    // together, late, and sometimes early.
    private static Task DelayUntilAsync(long arrival, double offsetSeconds, CancellationToken ct) =>
        PrecisePacer.Shared.WaitUntilAsync(arrival + (long)(offsetSeconds * Stopwatch.Frequency), ct);

    // The catalog's reported numbers, then the real state of the windows that are enforced (when any are).
    private void AddRateLimitHeaders(IHeaderDictionary headers, SimulatorScope scope, CatalogModel model, int requestTokens, IReadOnlyList<WindowState>? enforced)
    {
        _dialect.AddRateLimitHeaders(headers, model.RateLimits, scope.RequestsReceived, requestTokens);
        if (enforced is not null) _dialect.AddEnforcedRateLimitHeaders(headers, enforced);
    }

    private async Task WriteErrorAsync(HttpContext context, ErrorReply error)
    {
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(_dialect.RenderError(error).ToJsonString(WireJson));
    }

    /// <summary>One request in flight and what will be recorded about it.</summary>
    private sealed class Exchange(HttpContext context, SimulatorScope scope, int ordinal, long arrival)
    {
        private int _recorded;

        public HttpContext Context { get; } = context;
        public SimulatorScope Scope { get; } = scope;
        public int Ordinal { get; } = ordinal;
        public long Arrival { get; } = arrival;
        public Random Rng { get; set; } = null!;
        public string RequestId { get; set; } = "";
        public string Body { get; set; } = "";
        public string? Model { get; set; }
        public bool Stream { get; set; }
        public int PromptTokens { get; set; }
        public int CompletionTokens { get; set; }
        public string? FinishReason { get; set; }
        public ServedTiming? Timing { get; set; }
        public List<string> Faults { get; } = [];
        public DateTimeOffset ReceivedAt { get; init; }
        public TimeSpan? RetryAfter { get; set; }
        public string? RateLimitedBy { get; set; }
        public DateTimeOffset? AdmittedAt { get; set; }

        public async Task FailAsync(SimulatedProvider provider, ErrorReply error)
        {
            Record(error.Status);
            await provider.WriteErrorAsync(Context, error);
        }

        /// <summary>Adds the request to its scope's log, once; called before the last bytes go out so a client never sees an answer before its record.</summary>
        public void Record(int statusCode)
        {
            if (Interlocked.Exchange(ref _recorded, 1) == 1) return;
            var headers = Context.Request.Headers.ToDictionary(
                h => h.Key,
                h => ApiKeyMask.IsCredentialHeader(h.Key) ? ApiKeyMask.MaskAuthorization(h.Value.ToString()) : h.Value.ToString(),
                StringComparer.OrdinalIgnoreCase);
            Scope.Record(new SimulatedRequest
            {
                Ordinal = Ordinal,
                Method = Context.Request.Method,
                Path = Context.Request.Path.Value ?? "",
                Model = Model,
                Stream = Stream,
                Body = Body,
                Headers = headers,
                StatusCode = statusCode,
                RequestId = RequestId,
                FaultsApplied = [.. Faults],
                PromptTokens = PromptTokens,
                CompletionTokens = CompletionTokens,
                FinishReason = FinishReason,
                Timing = Timing ?? ServedTiming.Immediate(TimeSpan.FromSeconds(Elapsed(Arrival))),
                ReceivedAt = ReceivedAt,
                RetryAfter = RetryAfter,
                RateLimitedBy = RateLimitedBy,
                AdmittedAt = AdmittedAt,
            });
        }
    }
}
