using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace ProviderSpecs.Providers.Chat;

/// <summary>
/// The OpenAI SDK's <see cref="ChatClient"/>, unchanged but for one hook: when a streaming chat request is sent while a
/// <see cref="SdkStreamHandoff"/> is open, the SDK still builds and sends it (same body, headers, pipeline policies,
/// HttpClient and handlers, same errors for non-2xx answers), but the response is handed to the provider layer's
/// stream reader (<see cref="ProviderStreamingChatClient"/>) instead of the SDK's own SSE parser, which gets an empty
/// stream (<c>data: [DONE]</c>) and yields nothing.
/// </summary>
internal sealed class ProviderSdkChatClient(string model, ApiKeyCredential credential, OpenAIClientOptions options)
    : ChatClient(model, credential, options)
{
    // Every chat request of the SDK (streaming or not, typed or protocol) goes through this protocol method.
    public override async Task<ClientResult> CompleteChatAsync(BinaryContent content, RequestOptions? options = null)
    {
        var result = await base.CompleteChatAsync(content, options).ConfigureAwait(false);
        if (options is not { BufferResponse: false } || SdkStreamHandoff.Current is not { } handoff) return result;
        handoff.Take(result.GetRawResponse());
        return ClientResult.FromResponse(new EndOfStreamResponse());
    }
}

/// <summary>
/// Carries the response of one streaming request from the SDK's send (<see cref="ProviderSdkChatClient"/>) to the reader
/// that opened it. Flows down the async call through an AsyncLocal: the SDK gives no per-call hook.
/// </summary>
internal sealed class SdkStreamHandoff
{
    private static readonly AsyncLocal<SdkStreamHandoff?> CurrentHandoff = new();

    public static SdkStreamHandoff? Current => CurrentHandoff.Value;

    public PipelineResponse? Response { get; private set; }

    /// <summary>The attempt's exchange when the response came through <see cref="ProviderWirePolicy"/>: the reader guards with it.</summary>
    public WireExchange? Exchange { get; private set; }

    public static Scope Begin(SdkStreamHandoff handoff)
    {
        var previous = CurrentHandoff.Value;
        CurrentHandoff.Value = handoff;
        return new Scope(previous);
    }

    public void Take(PipelineResponse response)
    {
        if (Response is not null)
        {
            response.Dispose();
            throw new InvalidOperationException("One streaming call sent two requests; the provider layer reads one stream per call.");
        }
        Response = response;
        Exchange = WireExchange.Current;
    }

    public readonly struct Scope(SdkStreamHandoff? previous) : IDisposable
    {
        public void Dispose() => CurrentHandoff.Value = previous;
    }
}

/// <summary>What the SDK's SSE parser reads in place of a handed-over stream: a 200 whose body is only <c>data: [DONE]</c>.</summary>
internal sealed class EndOfStreamResponse : PipelineResponse
{
    private static readonly byte[] Body = "data: [DONE]\n\n"u8.ToArray();
    private Stream? _content = new MemoryStream(Body, writable: false);

    public override int Status => 200;
    public override string ReasonPhrase => "OK";
    protected override PipelineResponseHeaders HeadersCore => NoHeaders.Instance;
    public override Stream? ContentStream { get => _content; set => _content = value; }
    public override BinaryData Content => BinaryData.FromBytes(Body);
    public override BinaryData BufferContent(CancellationToken cancellationToken = default) => Content;
    public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Content);
    public override void Dispose() => _content?.Dispose();

    private sealed class NoHeaders : PipelineResponseHeaders
    {
        public static readonly NoHeaders Instance = new();
        public override bool TryGetValue(string name, out string? value) { value = null; return false; }
        public override bool TryGetValues(string name, out IEnumerable<string>? values) { values = null; return false; }
        public override IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Enumerable.Empty<KeyValuePair<string, string>>().GetEnumerator();
    }
}
