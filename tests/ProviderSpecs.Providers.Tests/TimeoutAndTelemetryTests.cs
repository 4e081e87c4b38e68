using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Providers.Telemetry;

namespace ProviderSpecs.Providers.Tests;

/// <summary>Handler whose response waits until released (or the request is cancelled).</summary>
internal sealed class BlockingHandler : HttpMessageHandler
{
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        await Release.Task.WaitAsync(cancellationToken);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Stub.GroqCompletion(), Encoding.UTF8, "application/json") };
    }
}

/// <summary>Serves SSE bytes, then fails the read as a dropped connection would.</summary>
internal sealed class BreakingStreamHandler(string prefix) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new BreakingStream(Encoding.UTF8.GetBytes(prefix))) { Headers = { ContentType = new("text/event-stream") } },
        });

    private sealed class BreakingStream(byte[] prefix) : MemoryStream(prefix)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : throw new IOException("Connection reset by peer");
        }
    }
}

public class TimeoutAndConcurrencyTests
{
    private static ProviderSession Session(HttpMessageHandler handler, ResilienceOptions resilience) =>
        ProviderSession.Open("groq", new ProviderSessionOptions
        {
            ApiKey = Stub.GroqKey, BaseUrl = new Uri("http://127.0.0.1:9/openai/v1"), HttpClient = new HttpClient(handler),
            Environment = Stub.EmptyEnvironment(), Resilience = resilience,
        });

    [Test]
    public async Task No_reply_within_the_first_token_timeout_is_a_timeout()
    {
        using var session = Session(new BlockingHandler(), new ResilienceOptions { MaxRetries = 0, FirstTokenTimeout = TimeSpan.FromMilliseconds(50) });
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").CompleteAsync("hi"));
        error.ErrorKey.ShouldBe(ErrorKeys.Timeout);
        error.Message.ShouldContain("first-token");
    }

    [Test]
    public async Task Caller_cancellation_stays_a_cancellation()
    {
        using var session = Session(new BlockingHandler(), new ResilienceOptions { MaxRetries = 2 });
        using var cancel = new CancellationTokenSource();
        var call = session.CreateChatClient("m").CompleteAsync("hi", cancellationToken: cancel.Token);
        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => call);
    }

    [Test]
    public async Task A_connection_dropped_mid_stream_is_stream_interrupted()
    {
        using var session = Session(new BreakingStreamHandler(Stub.Chunk("Hel") + Stub.Chunk("lo")), ResilienceOptions.NoRetries);
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").Stream("hi").CollectAsync());
        error.ErrorKey.ShouldBe(ErrorKeys.StreamInterrupted);
    }

    [Test]
    public async Task Calls_beyond_the_concurrency_limit_and_queue_are_refused()
    {
        var handler = new BlockingHandler();
        using var session = Session(handler, new ResilienceOptions { MaxRetries = 0, MaxConcurrency = 1, MaxQueuedCalls = 0 });
        var client = session.CreateChatClient("m");
        var first = client.CompleteAsync("one");
        await handler.Entered.Task;
        var error = await Should.ThrowAsync<ProviderException>(() => client.CompleteAsync("two"));
        error.ErrorKey.ShouldBe(ErrorKeys.Overloaded);
        error.Message.ShouldContain("MaxConcurrency");
        handler.Release.SetResult();
        (await first).Text.ShouldBe("Hello!");
    }
}

[NonParallelizable]
public class TelemetryTests
{
    /// <summary>Collects every span the provider layer's ActivitySource finishes while the listener lives.</summary>
    private static ActivityListener ListenForSpans(List<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ProviderTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    [Test]
    public async Task When_enabled_calls_emit_genai_spans_and_error_metrics()
    {
        var activities = new List<Activity>();
        using var listener = ListenForSpans(activities);
        var errors = new List<(long Value, string? Key)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == ProviderTelemetry.MeterName) l.EnableMeasurementEvents(instrument); },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == ProviderTelemetry.ErrorsInstrument)
                errors.Add((value, tags.ToArray().FirstOrDefault(t => t.Key == "error.type").Value as string));
        });
        meters.Start();

        var handler = new StubHandler().Json(Stub.GroqCompletion()).Json("""{"error":{"message":"Invalid API Key"}}""", HttpStatusCode.Unauthorized);
        await using var session = ProviderSession.Open("groq", new ProviderSessionOptions
        {
            ApiKey = Stub.GroqKey, BaseUrl = new Uri("http://127.0.0.1:9/openai/v1"), HttpClient = new HttpClient(handler),
            Environment = Stub.EmptyEnvironment(), Resilience = ResilienceOptions.NoRetries, Telemetry = new TelemetryOptions { Enabled = true },
        });
        var client = session.CreateChatClient("llama-3.1-8b-instant");
        await client.CompleteAsync("hi");
        await Should.ThrowAsync<ProviderException>(() => client.CompleteAsync("hi"));

        activities.ShouldContain(a => a.OperationName.StartsWith("chat") && (string?)a.GetTagItem("gen_ai.request.model") == "llama-3.1-8b-instant");
        errors.ShouldContain((1, ErrorKeys.Authentication));
    }

    [Test]
    public async Task When_disabled_no_spans_are_emitted()
    {
        var activities = new List<Activity>();
        using var listener = ListenForSpans(activities);
        using var session = Stub.Session("groq", new StubHandler().Json(Stub.GroqCompletion()));
        await session.CreateChatClient("m").CompleteAsync("hi");
        activities.ShouldBeEmpty();
    }
}
