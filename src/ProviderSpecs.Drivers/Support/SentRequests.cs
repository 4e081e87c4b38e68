using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProviderSpecs.Drivers.Support;

/// <summary>One chat request as it left the client, and the provider's answer when it was one JSON document (not a stream).</summary>
public sealed record SentRequest(int Ordinal, string Path, JsonObject? Body, JsonObject? Answer)
{
    /// <summary>The request's <c>model</c>.</summary>
    public string? Model => Body?["model"] is JsonValue value && value.TryGetValue<string>(out var model) ? model : null;
}

/// <summary>
/// A client-side handler that keeps every chat request as it left the client — the body the provider layer wrote — and
/// the provider's answer when it came as one JSON document. It sits in front of the target's shared handler chain
/// (<see cref="Targets.ScenarioEndpoints.SharedHandler"/>), so its requests count against the live budget and are paced
/// like every other: it reads what the client sent, so it works on the live target as on the simulated one.
/// </summary>
public sealed class SentRequests : DelegatingHandler
{
    private readonly List<SentRequest> _sent = [];
    private readonly Lock _gate = new();

    /// <param name="target">The target's shared handler chain; it is not disposed with this handler.</param>
    public SentRequests(HttpMessageHandler target) : base(target)
    {
    }

    // The inner handler is the run's shared chain: other scenarios keep using it.
    protected override void Dispose(bool disposing)
    {
    }

    /// <summary>The chat requests sent so far, in the order they left.</summary>
    public IReadOnlyList<SentRequest> ChatRequests
    {
        get
        {
            lock (_gate) return _sent.ToList();
        }
    }

    /// <summary>A client with this handler; the provider layer's own timeouts govern.</summary>
    public HttpClient CreateClient() => new(this, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (!path.EndsWith("/chat/completions", StringComparison.Ordinal))
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

        // Buffering the body keeps it readable for the handlers behind this one.
        var body = request.Content is null ? null : Parse(await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        int ordinal;
        lock (_gate)
        {
            ordinal = _sent.Count;
            _sent.Add(new SentRequest(ordinal, path, body, null));
        }
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // A stream is left alone (reading it here would hold back its chunks); one JSON document is read once and kept.
        if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            var answer = Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            lock (_gate) _sent[ordinal] = _sent[ordinal] with { Answer = answer };
        }
        return response;
    }

    private static JsonObject? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null; // an unreadable body: the layer's own error key says what went wrong
        }
    }
}
