namespace ProviderSpecs.Simulators;

/// <summary>
/// One request a scope received and what was served for it. Header values are as received except
/// Authorization, which is masked (<c>Bearer gsk_…a1b2</c>).
/// </summary>
public sealed record SimulatedRequest
{
    /// <summary>1-based position of the request among its scope's requests, in order of arrival.</summary>
    public required int Ordinal { get; init; }
    public required string Method { get; init; }
    public required string Path { get; init; }
    public string? Model { get; init; }
    public bool Stream { get; init; }
    public string Body { get; init; } = "";
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required int StatusCode { get; init; }
    /// <summary>The provider request id sent in <c>x-request-id</c>.</summary>
    public required string RequestId { get; init; }
    public IReadOnlyList<string> FaultsApplied { get; init; } = [];
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public string? FinishReason { get; init; }
    public required ServedTiming Timing { get; init; }

    /// <summary>When the request reached the simulator (the simulator's clock: start time + monotonic elapsed time).</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The wait a 429 asked for (a rate-limit fault's, or the exact wait of an enforced window); null otherwise.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The enforced window that refused the request, e.g. <c>requests per minute (RPM)</c>; null when it was not refused by a limit.</summary>
    public string? RateLimitedBy { get; init; }

    /// <summary>When enforced limits admitted the request (the instant its windows counted it); null when no limit is enforced or it was refused.</summary>
    public DateTimeOffset? AdmittedAt { get; init; }
}

/// <summary>
/// The timing actually served, measured with a Stopwatch from the moment the request reached the simulator:
/// the simulated queue wait, when the first content chunk (or, without streaming, the body) was written,
/// the gaps between content chunks, and the total.
/// </summary>
public sealed record ServedTiming
{
    public TimeSpan QueueDelay { get; init; }
    public TimeSpan? FirstChunkDelay { get; init; }
    /// <summary>
    /// When the latency profile (plus any injected first-token delay) asked the first content chunk (or the body) to be
    /// written; <see cref="FirstChunkDelay"/> is when it was. A client compares its own time to first token with this.
    /// </summary>
    public TimeSpan? PlannedFirstChunkDelay { get; init; }
    public IReadOnlyList<TimeSpan> ChunkGaps { get; init; } = [];
    public int ChunkCount { get; init; }
    public TimeSpan Total { get; init; }

    public static ServedTiming Immediate(TimeSpan total) => new() { Total = total };
}
