namespace ProviderSpecs.Benchmarking.Metrics;

/// <summary>The definition each reported figure uses, so every report can say which one it is.</summary>
public static class MetricDefinitions
{
    public const string Ttft = "llmperf/vLLM TTFT: request start to first chunk with generated text (a reasoning model's thinking counts, as its tokens do)";
    public const string Tpot = "vLLM TPOT: (e2e − TTFT) ÷ (output tokens − 1), per request";
    public const string InterTokenLatency = "vLLM ITL: every gap between successive content chunks, pooled over requests";
    public const string EndToEnd = "end-to-end latency: request start to last byte";
    public const string OutputTokensPerSecondPerRequest = "llmperf per-request throughput: output tokens ÷ e2e";
    public const string QueueTime = "provider-reported queue time (e.g. Groq usage.queue_time)";
    public const string Attempts = "HTTP attempts per request (1 = no retry)";
    public const string RateLimitRecovery = "time from the first rate-limited (429) response to the next success";
    public const string RequestsPerSecond = "run throughput: successful requests ÷ measured wall time";
    public const string ScheduledRequestsPerSecond = "open loop: the rate its arrival schedule offered — (arrivals sent − 1) ÷ (last − first scheduled arrival); a Poisson draw's differs from the nominal --rate";
    public const string FleetScheduledRequestsPerSecond = "open loop fleet: the workers' scheduled rates added (they offer their shares at once)";
    public const string OutputTokensPerSecond = "run throughput: output tokens of successful requests ÷ measured wall time";
    public const string FleetRequestsPerSecond = "fleet throughput: successful requests of every worker ÷ the span from the first worker's measured start to the last worker's measured end";
    public const string FleetOutputTokensPerSecond = "fleet throughput: output tokens of every worker's successful requests ÷ the span from the first worker's measured start to the last worker's measured end";
    public const string ErrorRate = "llmperf error rate: failed requests ÷ started requests";
    public const string TtftError = "|measured TTFT − when the server says the first chunk left| per request (the self-test target, or the simulators' x-simulator-served header)";
    public const string InterTokenGapError = "|measured chunk gap − the gap the server says it served| per chunk (the self-test target, or the simulators' x-simulator-served header)";
    public const string SendLateness = "open loop: request sent − its scheduled arrival, per request (waiting for a free slot under the concurrency cap, or for the client); latencies are timed from the send, as vLLM times them, so they leave this wait out";
    public const string StatisticsOverSuccesses = "percentiles from HdrHistogram (µs resolution, 3 significant digits) over successful requests";
}
