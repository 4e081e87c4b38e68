namespace ProviderSpecs.Simulators;

/// <summary>The faults a scope can ask for. Each is documented in <c>fixtures/faults/catalog.json</c> under its kebab-case name.</summary>
public enum FaultKind
{
    /// <summary>429 with the provider's body and retry headers, <see cref="FaultOptions.Count"/> times, then normal answers.</summary>
    RateLimitSequence,
    /// <summary>503, the provider's overloaded body.</summary>
    Overloaded,
    /// <summary>Groq only: 498 flex-tier capacity exceeded.</summary>
    CapacityExceeded,
    /// <summary>500 internal server error.</summary>
    ServerError,
    /// <summary>502 from the edge proxy (an HTML page, as a CDN sends it).</summary>
    BadGateway,
    /// <summary>The first token arrives <see cref="FaultOptions.Delay"/> later than the profile says.</summary>
    SlowFirstToken,
    /// <summary>The connection is aborted: before the response, or after <see cref="FaultOptions.AfterChunks"/> stream chunks.</summary>
    ConnectionReset,
    /// <summary>200 with an empty body.</summary>
    EmptyBody,
    /// <summary>200 whose JSON body is cut off.</summary>
    MalformedJson,
    /// <summary>The stream ends after <see cref="FaultOptions.AfterChunks"/> chunks, without a finish reason or <c>[DONE]</c>.</summary>
    TruncatedStream,
    /// <summary>A data line that is not JSON is sent after <see cref="FaultOptions.AfterChunks"/> chunks; the stream then goes on normally.</summary>
    GarbageChunk,
    /// <summary>After <see cref="FaultOptions.AfterChunks"/> chunks nothing more is sent, the connection stays open until the client leaves or <see cref="FaultOptions.Delay"/> (default 30 s) passes.</summary>
    StalledStream,
    /// <summary><c>GET /models</c> (and <c>/models/{id}</c>) answers 503, so a consumer can test its catalog fallback.</summary>
    CatalogUnavailable,
    /// <summary>Groq only: 400 <c>tool_use_failed</c> with the generation that was not a valid function call (<c>failed_generation</c>).</summary>
    ToolUseFailed,
}

/// <summary>How a fault behaves. Unset values take the defaults documented on <see cref="FaultKind"/>.</summary>
public sealed record FaultOptions
{
    /// <summary>How many matching requests get the fault; null means every one until <see cref="SimulatorScope.ClearFaults"/>.</summary>
    public int? Count { get; init; }

    /// <summary>For rate limits: the wait the 429 asks for (retry-after and reset headers). Default 1 s. Not scaled by the time scale.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>For slow-first-token: the extra wait (default 10 s); for stalled-stream: the longest stall (default 30 s). Not scaled.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>For stream faults: how many content chunks are sent before the fault (default 2; 0 for connection-reset, which then aborts before answering).</summary>
    public int? AfterChunks { get; init; }

    /// <summary>Only requests for this model get the fault; null means any model.</summary>
    public string? Model { get; init; }
}

public static class FaultNames
{
    private static readonly Dictionary<string, FaultKind> ByName =
        Enum.GetValues<FaultKind>().ToDictionary(NameOf, StringComparer.OrdinalIgnoreCase);

    /// <summary>The kebab-case name used in features, fixtures and the CLI, e.g. <c>rate-limit-sequence</c>.</summary>
    public static string NameOf(FaultKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public static IReadOnlyCollection<string> All => ByName.Keys;

    public static bool TryParse(string name, out FaultKind kind) => ByName.TryGetValue(name.Trim(), out kind);

    public static FaultKind Parse(string name) =>
        ByName.TryGetValue(name.Trim(), out var kind)
            ? kind
            : throw new ArgumentException($"Unknown fault '{name}'. Known faults: {string.Join(", ", ByName.Keys)}.", nameof(name));
}

/// <summary>One entry of the fault catalog (<c>fixtures/faults/catalog.json</c>): what a fault does (in one line and in full), to what, with which options.</summary>
public sealed record FaultDescription(string Name, string AppliesTo, int? Status, IReadOnlyList<string> Options, string Summary, string Description);

/// <summary>The fault catalog, embedded from <c>fixtures/faults/catalog.json</c> so help texts do not depend on the working directory.</summary>
public static class FaultCatalog
{
    private static readonly Lazy<IReadOnlyList<FaultDescription>> Entries = new(Load);

    /// <summary>Every fault, in the catalog's order.</summary>
    public static IReadOnlyList<FaultDescription> All => Entries.Value;

    private static IReadOnlyList<FaultDescription> Load()
    {
        using var stream = typeof(FaultCatalog).Assembly.GetManifestResourceStream("ProviderSpecs.Simulators.fault-catalog.json")
                           ?? throw new InvalidOperationException("The fault catalog is not embedded in ProviderSpecs.Simulators.");
        var root = System.Text.Json.Nodes.JsonNode.Parse(stream)!;
        return root["faults"]!.AsArray().Select(f => new FaultDescription(
            f!["name"]!.GetValue<string>(),
            f["appliesTo"]!.GetValue<string>(),
            f["status"]?.GetValue<int>(),
            f["options"]!.AsArray().Select(o => o!.GetValue<string>()).ToList(),
            f["summary"]!.GetValue<string>(),
            f["description"]!.GetValue<string>())).ToList();
    }
}

/// <summary>A fault a scope asked for, with what is left of its count.</summary>
internal sealed class ActiveFault(FaultKind kind, FaultOptions options)
{
    private int _remaining = options.Count ?? int.MaxValue;

    public FaultKind Kind { get; } = kind;
    public FaultOptions Options { get; } = options;

    public bool AppliesTo(RequestKind request, string? model)
    {
        if (Options.Model is { } only && !string.Equals(only, model, StringComparison.Ordinal)) return false;
        return Kind switch
        {
            FaultKind.CatalogUnavailable => request == RequestKind.Catalog,
            FaultKind.TruncatedStream or FaultKind.GarbageChunk or FaultKind.StalledStream => request == RequestKind.StreamingChat,
            _ => request is RequestKind.Chat or RequestKind.StreamingChat,
        };
    }

    /// <summary>Takes one use of the fault; false once its count is spent.</summary>
    public bool TryTake()
    {
        while (true)
        {
            var current = Volatile.Read(ref _remaining);
            if (current <= 0) return false;
            if (current == int.MaxValue || Interlocked.CompareExchange(ref _remaining, current - 1, current) == current) return true;
        }
    }

    public bool Spent => Volatile.Read(ref _remaining) <= 0;

    /// <summary>Uses left; null for a fault without a count.</summary>
    public int? Remaining => Volatile.Read(ref _remaining) is var left && left == int.MaxValue ? null : left;
}

/// <summary>A fault a scope asked for, as reported: its name, its options and the uses left (null: every request until cleared).</summary>
public sealed record InjectedFault(string Fault, FaultOptions Options, int? Remaining);

internal enum RequestKind { Chat, StreamingChat, Catalog, Other }
