namespace ProviderSpecs.Benchmarking.Targets;

/// <summary>
/// One thing to measure: performs one request and reports its events through the
/// <see cref="RequestContext"/>. The framework takes every timestamp, so all targets are measured the same way.
/// </summary>
public interface IBenchmarkTarget
{
    /// <summary>Provider label used in results, e.g. "groq".</summary>
    string Provider { get; }

    /// <summary>Model label used in results, e.g. "llama-3.1-8b-instant".</summary>
    string Model { get; }

    /// <summary>
    /// Performs one request. Report content chunks with <see cref="RequestContext.MarkChunk"/> as they arrive
    /// and return the outcome; return <see cref="RequestOutcome.Failed"/> rather than throwing for provider errors.
    /// </summary>
    ValueTask<RequestOutcome> SendAsync(RequestContext context, CancellationToken cancellationToken);
}

/// <summary>Whether a target reuses pooled connections or opens a new one per request (cold start).</summary>
public enum ConnectionMode
{
    /// <summary>Requests share a pooled handler: the usual, warm case.</summary>
    Pooled,

    /// <summary>Every request opens a fresh connection (new handler): measures the cold, first-request cost.</summary>
    NewConnectionPerRequest,
}
