using System.Text.Json.Nodes;

namespace ProviderSpecs.Providers.Chat;

/// <summary>
/// What one HTTP attempt sent and received beyond what the SDK surfaces: extra request fields to add, response
/// headers, Groq's timings and x_groq.id, the raw finish reason, whether the stream finished. Flows from the
/// chat façade to <see cref="ProviderWirePolicy"/> through an AsyncLocal, because the SDK gives no per-call hook.
/// </summary>
internal sealed class WireExchange(IReadOnlyDictionary<string, JsonNode?> extraBody, Registry.ProviderDefinition? provider = null)
{
    private static readonly AsyncLocal<WireExchange?> CurrentExchange = new();

    public static WireExchange? Current => CurrentExchange.Value;

    public static IDisposable Begin(WireExchange exchange)
    {
        var previous = CurrentExchange.Value;
        CurrentExchange.Value = exchange;
        return new Restore(previous);
    }

    public IReadOnlyDictionary<string, JsonNode?> ExtraBody { get; } = extraBody;

    /// <summary>The provider's names for fields the SDK writes under OpenAI's (see <see cref="Registry.ProviderDefinition.RequestFieldNames"/>).</summary>
    public IReadOnlyDictionary<string, string> RenamedFields { get; } = provider?.RequestFieldNames ?? new Dictionary<string, string>();

    /// <summary>Fields the SDK writes that the provider refuses (see <see cref="Registry.ProviderDefinition.OmittedRequestFields"/>).</summary>
    public IReadOnlyList<string> OmittedFields { get; } = provider?.OmittedRequestFields ?? [];

    /// <summary>Whether the request body the SDK wrote must be rewritten before it is sent.</summary>
    public bool RewritesBody => ExtraBody.Count > 0 || RenamedFields.Count > 0 || OmittedFields.Count > 0;
    public int? Status { get; set; }
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public string? ProviderResponseId { get; set; }
    public string? RawFinishReason { get; set; }
    public GroqTimings? Timings { get; set; }
    public bool StreamCompleted { get; set; }

    /// <summary>
    /// A whole completion's <c>message.reasoning</c> (Groq's and Together's name), which the adapter does not read; null
    /// when the message has none, or has <c>reasoning_content</c>, which the adapter reads itself.
    /// </summary>
    public string? Reasoning { get; set; }
    public int StreamEvents { get; set; }

    /// <summary>The key the attempt sent, only to scrub it from response text an error quotes (never shown).</summary>
    public string? SentKey { get; set; }

    public string? Header(string name) => Headers.GetValueOrDefault(name);

    /// <summary>The provider's request id: <c>x-request-id</c>, else Together's <c>x-together-traceid</c>.</summary>
    public string? RequestId => Header("x-request-id") ?? Header("x-together-traceid");

    private sealed class Restore(WireExchange? previous) : IDisposable
    {
        public void Dispose() => CurrentExchange.Value = previous;
    }
}

/// <summary>
/// Groq's server-side timings from <c>usage</c> / <c>x_groq.usage</c> (seconds on the wire). The <see cref="TimeSpan"/>
/// values are rounded to 100 ns ticks; the <c>*Seconds</c> properties hold the exact numbers the provider sent.
/// </summary>
public sealed record GroqTimings(TimeSpan? QueueTime, TimeSpan? PromptTime, TimeSpan? CompletionTime, TimeSpan? TotalTime)
{
    /// <summary><c>queue_time</c> exactly as sent (seconds).</summary>
    public double? QueueSeconds { get; init; }
    /// <summary><c>prompt_time</c> exactly as sent (seconds).</summary>
    public double? PromptSeconds { get; init; }
    /// <summary><c>completion_time</c> exactly as sent (seconds).</summary>
    public double? CompletionSeconds { get; init; }
    /// <summary><c>total_time</c> exactly as sent (seconds).</summary>
    public double? TotalSeconds { get; init; }
}
