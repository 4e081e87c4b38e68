using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.RateLimiting;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Logging;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Providers.Telemetry;

namespace ProviderSpecs.Providers.Chat;

/// <summary>
/// Chat with one model of one provider. Typed calls (<see cref="CompleteAsync"/>, <see cref="Stream"/>) return
/// usage, ids, attempts and timings; it is also an <see cref="IChatClient"/> for Microsoft.Extensions.AI code.
/// Provider-specific request fields go in <see cref="ChatOptions.AdditionalProperties"/> and are checked
/// against the registry before anything is sent.
/// </summary>
public sealed class ProviderChatClient : IChatClient
{
    private readonly IChatClient _inner;
    private readonly ProviderDefinition _provider;
    private readonly IReadOnlySet<string> _commonOptions;
    private readonly ProviderResilience _resilience;
    private readonly TelemetryOptions _telemetry;

    private static readonly ResiliencePropertyKey<int> EstimatedTokensKey = new("providerspecs.estimated-tokens");
    private readonly RateLimitPacer? _pacer;
    private readonly ResiliencePipeline? _pacing;

    internal ProviderChatClient(IChatClient inner, ProviderDefinition provider, IReadOnlySet<string> commonOptions, string model,
        ProviderResilience resilience, TelemetryOptions telemetry, RateLimitPacer? pacer = null)
    {
        _inner = inner;
        _provider = provider;
        _commonOptions = commonOptions;
        Model = model;
        _resilience = resilience;
        _telemetry = telemetry;
        _pacer = pacer;
        if (pacer is not null)
        {
            // Polly's rate limiter over the pacer's limiter for this model: each attempt waits for room in the windows the
            // provider announced, its permit count being its estimated tokens.
            var limiter = pacer.For(provider, model);
            _pacing = new ResiliencePipelineBuilder().AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => limiter.AcquireAsync(args.Context.Properties.GetValue(EstimatedTokensKey, 1), args.Context.CancellationToken),
            }).Build();
        }
    }

    /// <summary>Waits, before an attempt leaves, until the model's announced rate limits have room for it (no-op without a pacer).</summary>
    private async ValueTask PaceAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (_pacing is null) return;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(EstimatedTokensKey, EstimateTokens(messages, options));
        try
        {
            await _pacing.ExecuteAsync(static _ => ValueTask.CompletedTask, context).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    // What a provider counts against a token window: the prompt (about 4 characters a token, plus a few per message)
    // and the most the answer may take.
    private static int EstimateTokens(IReadOnlyList<ChatMessage> messages, ChatOptions? options) =>
        messages.Sum(m => (m.Text?.Length ?? 0) / 4 + 4) + (options?.MaxOutputTokens ?? Budget.LiveBudgetHandler.DefaultCompletionTokens);

    /// <summary>Tells the pacer what an attempt's response said about the model's limits.</summary>
    private void ObserveLimits(WireExchange exchange, ProviderException? error)
    {
        if (_pacer is null || (exchange.Status is null && error?.HttpStatus is null)) return;
        _pacer.Observe(_provider, Model, exchange.Status ?? error?.HttpStatus, exchange.Header, error?.ProviderMessage);
    }

    public ProviderDefinition Provider => _provider;
    public string Model { get; }

    /// <summary>Where calls are logged (<see cref="ProviderLog.ChatCategory"/>).</summary>
    internal ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>The session's logger factory, for what is built on this client (a fallback chain logs through it).</summary>
    internal ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The key this client sends, known only so that logs can mask it wherever a provider's text quotes it.</summary>
    internal string? Key { get; init; }

    private CallIdentity Call => _call ??= new CallIdentity(_provider.Id, Model, Key);
    private CallIdentity? _call;

    public async Task<ChatResult> CompleteAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        ValidateMessages(conversation);
        messages = conversation;
        var extraBody = ValidateOptions(options);
        var attempts = new List<AttemptRecord>();
        var started = Stopwatch.GetTimestamp();
        var settings = _resilience.Options;
        try
        {
            using var total = _resilience.StartDeadline(settings.TotalTimeout, cancellationToken);
            var (response, exchange) = await _resilience.ExecuteAsync(async token =>
            {
                await PaceAsync(conversation, options, token).ConfigureAwait(false);
                // The permit is per attempt: a call sleeping out a Retry-After between attempts holds none.
                using var lease = await _resilience.AcquireAsync(_provider.Id, token).ConfigureAwait(false);
                using var attemptTimeout = _resilience.StartDeadline(settings.FirstTokenTimeout, token);
                var exchange = new WireExchange(extraBody, _provider);
                using var scope = WireExchange.Begin(exchange);
                try
                {
                    var reply = await _inner.GetResponseAsync(messages, options, attemptTimeout.Token).ConfigureAwait(false);
                    AddReasoning(reply, exchange.Reasoning);
                    RestoreFinishReason(reply, exchange.RawFinishReason);
                    ObserveLimits(exchange, null);
                    return (reply, exchange);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var failure = MapFailure(e, streamStarted: false, cancellationToken, total.Token, "no reply within the first-token timeout")
                        .WithRequestId(exchange.RequestId);
                    ObserveLimits(exchange, failure);
                    throw failure;
                }
            }, attempts, total.Token, Call).ConfigureAwait(false);
            var result = BuildResult(ReplySource.Given(response), exchange, attempts, Stopwatch.GetElapsedTime(started), null, 0);
            ProviderLog.CallAnswered(Logger, _provider.Id, Model, "chat", attempts.Count, result.Elapsed.TotalMilliseconds, result.FinishReason, result.RequestId);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Fail(e, attempts, "chat");
        }
    }

    /// <summary>
    /// Adds a completion's <c>message.reasoning</c> (Groq's and Together's name for it) to the reply's message as the
    /// adapter adds <c>reasoning_content</c>: a <see cref="TextReasoningContent"/> after the message's other contents.
    /// </summary>
    private static void AddReasoning(ChatResponse reply, string? reasoning)
    {
        if (reasoning is null || reply.Messages.Count == 0) return;
        var contents = reply.Messages[^1].Contents;
        for (var i = 0; i < contents.Count; i++)
            if (contents[i] is TextReasoningContent) return;
        contents.Add(new TextReasoningContent(reasoning));
    }

    /// <summary>
    /// Puts a finish reason the SDK's enum does not take back on the reply, normalised where the layer knows it
    /// (<see cref="NormaliseFinishReason"/>), else as the provider sent it: the SDK read a placeholder
    /// (<see cref="WireJson.InspectCompletion"/>).
    /// </summary>
    private static void RestoreFinishReason(ChatResponse reply, string? raw)
    {
        if (raw is null || WireJson.OpenAiFinishReasons.Contains(raw)) return;
        reply.FinishReason = NormaliseFinishReason(raw) is { } normalised ? new ChatFinishReason(normalised) : null;
    }

    public Task<ChatResult> CompleteAsync(string prompt, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        CompleteAsync([new ChatMessage(ChatRole.User, prompt)], options, cancellationToken);

    /// <summary>A streamed reply: enumerate it for the updates, then read <see cref="ChatStream.Result"/>.</summary>
    public ChatStream Stream(IEnumerable<ChatMessage> messages, ChatOptions? options = null) => new(this, messages.ToList(), options);

    public ChatStream Stream(string prompt, ChatOptions? options = null) => Stream([new ChatMessage(ChatRole.User, prompt)], options);

    internal async IAsyncEnumerable<ChatResponseUpdate> StreamCore(IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        Action<ChatResult> complete, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ValidateMessages(messages);
        var extraBody = ValidateOptions(options);
        var attempts = new List<AttemptRecord>();
        var started = Stopwatch.GetTimestamp();
        var settings = _resilience.Options;
        // Sized for the answer the caller allows (about a chunk a token, plus role, finish and usage chunks), so a stream
        // does not regrow the list chunk by chunk; capped, as the limit is often far above the answer.
        var updates = new List<ChatResponseUpdate>(Math.Clamp((options?.MaxOutputTokens ?? 0) + 4, 16, 256));
        using var total = _resilience.StartDeadline(settings.TotalTimeout, cancellationToken);

        // Retries cover opening the stream up to its first chunk; after that a failure is stream-interrupted.
        Opened opened;
        try
        {
            opened = await _resilience.ExecuteAsync(async token =>
            {
                await PaceAsync(messages, options, token).ConfigureAwait(false);
                // The permit is per attempt (held from opening to the end of the stream), not across Retry-After sleeps.
                var lease = await _resilience.AcquireAsync(_provider.Id, token).ConfigureAwait(false);
                var attemptTimeout = _resilience.StartDeadline(settings.FirstTokenTimeout, token);
                var exchange = new WireExchange(extraBody, _provider);
                IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
                try
                {
                    using (WireExchange.Begin(exchange))
                    {
                        enumerator = _inner.GetStreamingResponseAsync(messages, options, attemptTimeout.Token).GetAsyncEnumerator(attemptTimeout.Token);
                        var hasFirst = await enumerator.MoveNextAsync().ConfigureAwait(false);
                        attemptTimeout.Disarm();
                        ObserveLimits(exchange, null);
                        return new Opened(enumerator, hasFirst, exchange, attemptTimeout, lease, Stopwatch.GetElapsedTime(started));
                    }
                }
                catch (Exception e)
                {
                    if (enumerator is not null) await enumerator.DisposeAsync().ConfigureAwait(false);
                    attemptTimeout.Dispose();
                    lease.Dispose();
                    if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) throw;
                    var failure = MapFailure(e, streamStarted: false, cancellationToken, total.Token, "no first chunk within the first-token timeout")
                        .WithRequestId(exchange.RequestId);
                    ObserveLimits(exchange, failure);
                    throw failure;
                }
            }, attempts, total.Token, Call).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Fail(e, attempts, "stream");
        }

        using var lease = opened.Lease;
        await using var enumerator = opened.Enumerator;
        using var attemptScope = opened.AttemptTimeout;
        ProviderTelemetry.RecordTimeToFirstToken(_telemetry, _provider.Id, Model, opened.TimeToFirstChunk);
        var hasCurrent = opened.HasFirst;
        while (hasCurrent)
        {
            updates.Add(enumerator.Current);
            yield return enumerator.Current;
            try
            {
                hasCurrent = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw Fail(MapFailure(e, streamStarted: true, cancellationToken, total.Token, "the stream exceeded the total timeout")
                    .WithRequestId(opened.Exchange.RequestId), attempts, "stream");
            }
        }
        var result = BuildResult(ReplySource.Streamed(updates), opened.Exchange, attempts, Stopwatch.GetElapsedTime(started), opened.TimeToFirstChunk, updates.Count);
        ProviderLog.CallAnswered(Logger, _provider.Id, Model, "stream", attempts.Count, result.Elapsed.TotalMilliseconds, result.FinishReason, result.RequestId);
        complete(result);
    }

    private sealed record Opened(IAsyncEnumerator<ChatResponseUpdate> Enumerator, bool HasFirst, WireExchange Exchange,
        Deadline AttemptTimeout, System.Threading.RateLimiting.RateLimitLease Lease, TimeSpan TimeToFirstChunk);

    private ProviderException MapFailure(Exception e, bool streamStarted, CancellationToken callerToken, CancellationToken totalToken, string timeoutWhat)
    {
        if (e is OperationCanceledException && !callerToken.IsCancellationRequested)
        {
            var what = totalToken.IsCancellationRequested ? $"the call exceeded the total timeout of {_resilience.Options.TotalTimeout}" : $"{timeoutWhat} ({_resilience.Options.FirstTokenTimeout})";
            return new ProviderException(ErrorKeys.Timeout, $"{_provider.DisplayName} model '{Model}': {what}.", e) { ProviderId = _provider.Id, Model = Model };
        }
        return ErrorMapper.FromException(e, _provider, Model, streamStarted, callerToken.IsCancellationRequested);
    }

    private ProviderException Fail(Exception e, List<AttemptRecord> attempts, string mode)
    {
        var error = e as ProviderException ?? ErrorMapper.FromException(e, _provider, Model);
        error = error.WithContext(_provider.Id, Model).Redacted(Key);
        error.Attempts = attempts;
        ProviderTelemetry.RecordError(_telemetry, _provider.Id, Model, error.ErrorKey);
        ProviderLog.CallFailed(Logger, _provider.Id, Model, mode, error.ErrorKey, attempts.Count, error.Message); // redacted above
        return error;
    }

    /// <summary>A call's result from its response, or a stream's from its updates (merged only if the caller reads them).</summary>
    private ChatResult BuildResult(ReplySource source, WireExchange exchange,
        IReadOnlyList<AttemptRecord> attempts, TimeSpan elapsed, TimeSpan? timeToFirstToken, int chunks)
    {
        var reply = source.Facts();
        var usage = reply.Usage is not null || exchange.Timings is not null
            ? new ChatUsage(reply.Usage?.InputTokenCount, reply.Usage?.OutputTokenCount, reply.Usage?.TotalTokenCount, exchange.Timings, reply.Usage?.ReasoningTokenCount)
            : null;
        return new ChatResult
        {
            ProviderId = _provider.Id,
            Model = Model,
            FinishReason = reply.FinishReason?.Value ?? NormaliseFinishReason(exchange.RawFinishReason),
            RawFinishReason = exchange.RawFinishReason,
            Usage = usage,
            ResponseId = reply.ResponseId,
            RequestId = exchange.RequestId,
            ProviderResponseId = exchange.ProviderResponseId,
            RateLimit = RateLimitInfo.FromHeaders(exchange.Header, _provider.RateLimitDialect),
            Attempts = attempts,
            Elapsed = elapsed,
            TimeToFirstToken = timeToFirstToken,
            StreamedChunks = chunks,
            Reply = source,
        };
    }

    /// <summary>
    /// OpenAI's word for a provider's finish reason where the layer knows one (in any case, as the SDK read them); any
    /// other value as it came; null for none.
    /// </summary>
    internal static string? NormaliseFinishReason(string? raw) => string.IsNullOrWhiteSpace(raw) ? null : raw.ToLowerInvariant() switch
    {
        "eos" or "stop" or "end_turn" => "stop",
        "length" or "max_tokens" or "model_length" => "length",
        "tool_calls" or "function_call" => "tool_calls",
        "content_filter" => "content_filter",
        _ => raw,
    };

    /// <summary>
    /// Refuses, before anything is sent, a conversation with nothing to answer: no messages, or only messages without
    /// content (empty or whitespace text and nothing else). Providers answer such requests inconsistently (some as a
    /// success), so the layer reports <c>bad-request</c> itself.
    /// </summary>
    internal void ValidateMessages(IReadOnlyList<ChatMessage> messages)
    {
        if (messages.Any(HasContent)) return;
        var what = messages.Count switch
        {
            0 => "The message list is empty: there is nothing",
            1 => "The prompt is empty: it has no text",
            _ => $"None of the {messages.Count} messages has any content: there is nothing",
        };
        throw new ProviderException(ErrorKeys.BadRequest,
            $"{what} for {_provider.DisplayName} model '{Model}' to answer. Nothing was sent; give the model a message with text.")
        {
            ProviderId = _provider.Id, Model = Model,
        };
    }

    private static bool HasContent(ChatMessage? message) =>
        message is not null && message.Contents.Any(c => c is TextContent text ? !string.IsNullOrWhiteSpace(text.Text) : c is not UsageContent);

    /// <summary>Checks provider-specific options against the registry and returns them as JSON fields to add.</summary>
    internal IReadOnlyDictionary<string, JsonNode?> ValidateOptions(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { Count: > 0 } extras) return new Dictionary<string, JsonNode?>();
        var fields = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, value) in extras)
        {
            var node = value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType());
            if (_provider.Options.TryGetValue(name, out var rule))
            {
                if (Violation(rule, node) is { } problem) throw Unsupported(name, node, problem);
            }
            else if (!_commonOptions.Contains(name))
            {
                throw Unsupported(name, node, "it is not a request option this provider accepts");
            }
            else if (_provider.OmittedRequestFields.Contains(name))
            {
                throw Unsupported(name, node, $"{_provider.DisplayName} refuses it (the layer leaves it out of every request)");
            }
            // A common option the provider names otherwise goes under its name, as the SDK's own fields do.
            fields[_provider.RequestFieldNames.GetValueOrDefault(name, name)] = node;
        }
        return fields;
    }

    private static string? Violation(OptionRule rule, JsonNode? value)
    {
        if (rule.Values is { } allowed && !(value is JsonValue v && v.TryGetValue<string>(out var s) && allowed.Contains(s)))
            return $"allowed values are {string.Join(", ", allowed)}";
        if ((rule.Min is not null || rule.Max is not null) && value is JsonValue number && number.TryGetValue<double>(out var n))
        {
            if (rule.Max is { } max && n > max) return $"the maximum is {max}";
            if (rule.Min is { } min && n < min) return $"the minimum is {min}";
        }
        return null;
    }

    private ProviderException Unsupported(string name, JsonNode? value, string problem) =>
        new(ErrorKeys.UnsupportedParameter,
            $"{_provider.DisplayName} does not support request option '{name}' = {value?.ToJsonString() ?? "null"}: {problem}. "
            + $"Provider options it accepts: {string.Join(", ", _provider.Options.Keys.Order(StringComparer.Ordinal))}. Nothing was sent.")
        {
            ProviderId = _provider.Id, Model = Model,
        };

    async Task<ChatResponse> IChatClient.GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        (await CompleteAsync(messages, options, cancellationToken).ConfigureAwait(false)).Response;

    async IAsyncEnumerable<ChatResponseUpdate> IChatClient.GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var update in Stream(messages, options).WithCancellation(cancellationToken).ConfigureAwait(false)) yield return update;
    }

    object? IChatClient.GetService(Type serviceType, object? serviceKey) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : _inner.GetService(serviceType, serviceKey);

    public void Dispose() => _inner.Dispose();

    public override string ToString() => $"ProviderChatClient({_provider.Id}/{Model})";
}

/// <summary>A streamed reply. Enumerate it once; <see cref="Result"/> is available after the stream completes.</summary>
public sealed class ChatStream : IAsyncEnumerable<ChatResponseUpdate>
{
    private readonly ProviderChatClient _client;
    private readonly IReadOnlyList<ChatMessage> _messages;
    private readonly ChatOptions? _options;
    private ChatResult? _result;
    private int _enumerated;

    internal ChatStream(ProviderChatClient client, IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        _client = client;
        _messages = messages;
        _options = options;
    }

    public ChatResult Result => _result ?? throw new InvalidOperationException("The stream has not completed yet; enumerate it to the end first.");

    public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) == 1)
            throw new InvalidOperationException("A ChatStream can be enumerated once; call Stream again for another request.");
        return _client.StreamCore(_messages, _options, r => _result = r, cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>Reads the whole stream and returns its result.</summary>
    public async Task<ChatResult> CollectAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var _ in this.WithCancellation(cancellationToken).ConfigureAwait(false)) { }
        return Result;
    }
}
