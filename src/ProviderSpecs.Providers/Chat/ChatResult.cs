using Microsoft.Extensions.AI;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.Chat;

/// <summary>
/// Token counts plus Groq's server timings when it sent them. <see cref="ReasoningTokens"/>: how many of the output
/// tokens a reasoning model spent thinking, when the provider says (<c>completion_tokens_details.reasoning_tokens</c>).
/// </summary>
public sealed record ChatUsage(long? InputTokens, long? OutputTokens, long? TotalTokens, GroqTimings? ProviderTimings, long? ReasoningTokens = null);

/// <summary>A finished chat call: the reply, normalised metadata, and every attempt it took.</summary>
public sealed record ChatResult
{
    private ReplySource _reply = ReplySource.Missing;

    public required string ProviderId { get; init; }
    public required string Model { get; init; }
    /// <summary>The reply's text (<see cref="Response"/>'s).</summary>
    public string Text => Response.Text;

    /// <summary>
    /// A reasoning model's thinking, when the provider sent it apart from the answer (Groq's and Together's
    /// <c>reasoning</c>, DeepSeek's and vLLM's <c>reasoning_content</c>): the reply's <see cref="TextReasoningContent"/>
    /// texts joined; null when there is none (a model that does not reason, reasoning hidden, or sent inside the text
    /// between <c>&lt;think&gt;</c> tags).
    /// </summary>
    public string? Reasoning => ReasoningText.Of(Response.Messages.SelectMany(m => m.Contents));
    /// <summary>
    /// The functions the model asked to call (the reply's <see cref="FunctionCallContent"/>s, in order), for the caller to
    /// run and answer with a <see cref="FunctionResultContent"/> of the same call id; empty when it called none. The
    /// layer never runs them itself. A call whose arguments were not valid JSON carries the parse error in its
    /// <see cref="FunctionCallContent.Exception"/>.
    /// </summary>
    public IReadOnlyList<FunctionCallContent> FunctionCalls =>
        Response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();

    /// <summary>stop, length, tool_calls or content_filter (Together's <c>eos</c> becomes stop, Mistral's <c>model_length</c> length).</summary>
    public string? FinishReason { get; init; }
    /// <summary>The finish reason exactly as the provider sent it.</summary>
    public string? RawFinishReason { get; init; }
    public ChatUsage? Usage { get; init; }
    /// <summary>The completion id (<c>chatcmpl-…</c>).</summary>
    public string? ResponseId { get; init; }
    /// <summary>The provider's request id from the x-request-id header, else Together's x-together-traceid.</summary>
    public string? RequestId { get; init; }
    /// <summary>Groq's <c>x_groq.id</c>.</summary>
    public string? ProviderResponseId { get; init; }
    public RateLimitInfo? RateLimit { get; init; }
    public required IReadOnlyList<AttemptRecord> Attempts { get; init; }
    /// <summary>Wall time of the whole call, retries included.</summary>
    public TimeSpan Elapsed { get; init; }
    /// <summary>
    /// Streaming only: from call start to the first streamed chunk, as the <c>providerspecs.client.time_to_first_token</c>
    /// instrument records it (Groq's opening chunk, which carries only the role, counts). <c>bench</c> times the first
    /// chunk that carries text instead.
    /// </summary>
    public TimeSpan? TimeToFirstToken { get; init; }
    public int StreamedChunks { get; init; }

    /// <summary>
    /// Microsoft.Extensions.AI's response. For a stream, its updates merged (<c>ToChatResponse</c>) when this or
    /// <see cref="Text"/> is first read: a caller that needs only the metadata, as a benchmark does, does not pay for
    /// the merge (about 50–90 bytes a chunk, more the longer the stream).
    /// </summary>
    public ChatResponse Response
    {
        get => _reply.Response;
        init => _reply = value is null ? _reply : ReplySource.Given(value);
    }

    /// <summary>Where <see cref="Response"/> comes from: the layer sets it (a response, or a stream's updates) in one place.</summary>
    internal ReplySource Reply
    {
        init => _reply = value;
    }
}

/// <summary>
/// Where a <see cref="ChatResult"/>'s response comes from: the response it was given, or a stream's updates, merged when
/// first read (thread-safe: the first reader publishes the merge, and the updates are let go after that). A result and
/// its <c>with</c> copies share one source, so they merge once and hold the same response; and record equality compares
/// the source, not whether it has been read yet.
/// </summary>
internal sealed class ReplySource : IEquatable<ReplySource>
{
    /// <summary>A result built without a response.</summary>
    public static readonly ReplySource Missing = new(null, null);

    private readonly ChatResponse? _given;
    private ChatResponse? _response;
    private IReadOnlyList<ChatResponseUpdate>? _updates;

    private ReplySource(ChatResponse? given, IReadOnlyList<ChatResponseUpdate>? updates)
    {
        _given = _response = given;
        _updates = updates;
    }

    public static ReplySource Given(ChatResponse response) => new(response, null);

    public static ReplySource Streamed(IReadOnlyList<ChatResponseUpdate> updates) => new(null, updates);

    public ChatResponse Response => Volatile.Read(ref _response) ?? Merge();

    /// <summary>Finish reason, usage and response id: from the updates while they are unmerged, else from the response.</summary>
    public ReplyFacts Facts() => Volatile.Read(ref _updates) is { } updates ? ReplyFacts.Of(updates) : ReplyFacts.Of(Response);

    private ChatResponse Merge()
    {
        var updates = Volatile.Read(ref _updates);
        // Null: another thread merged first (it publishes the response before letting go of the updates).
        if (updates is null) return Volatile.Read(ref _response) ?? throw new InvalidOperationException("This ChatResult was built without a Response: set Response when constructing one.");
        var merged = updates.ToChatResponse();
        var response = Interlocked.CompareExchange(ref _response, merged, null) ?? merged;
        Volatile.Write(ref _updates, null);
        return response;
    }

    // Results given the same response instance are equal, as they were when the record held the response itself; a
    // stream's source equals only itself, so a streamed result equals its copies.
    public bool Equals(ReplySource? other) =>
        ReferenceEquals(this, other) || (other is not null && _given is not null && ReferenceEquals(_given, other._given));

    public override bool Equals(object? obj) => Equals(obj as ReplySource);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(_given ?? (object)this);
}

/// <summary>
/// What a result reports about a reply before (or without) its merged response: the finish reason, usage and response id,
/// taken by the rules of Microsoft.Extensions.AI's <c>ToChatResponse</c> (the latest finish reason and non-empty response
/// id win; usage contents add up), so that they equal the merged response's.
/// </summary>
internal readonly record struct ReplyFacts(ChatFinishReason? FinishReason, UsageDetails? Usage, string? ResponseId)
{
    public static ReplyFacts Of(ChatResponse response) => new(response.FinishReason, response.Usage, response.ResponseId);

    public static ReplyFacts Of(IReadOnlyList<ChatResponseUpdate> updates)
    {
        ChatFinishReason? finishReason = null;
        UsageDetails? usage = null;
        string? responseId = null;
        foreach (var update in updates)
        {
            if (update.FinishReason is { } reason) finishReason = reason;
            if (update.ResponseId is { Length: > 0 } id) responseId = id;
            // By index: a foreach over the IList would allocate an enumerator an update.
            var contents = update.Contents;
            for (var i = 0; i < contents.Count; i++)
                if (contents[i] is UsageContent used) (usage ??= new()).Add(used.Details);
        }
        return new(finishReason, usage, responseId);
    }
}
