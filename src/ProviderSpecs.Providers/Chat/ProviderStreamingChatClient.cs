using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ProviderSpecs.Providers.Chat;

/// <summary>
/// The layer's <see cref="IChatClient"/> over the OpenAI SDK. Non-streaming calls are the SDK's and Microsoft.Extensions.AI's
/// adapter's, untouched. A streaming call is built and sent by them too (same request body, headers, pipeline policies,
/// HttpClient and handlers, same exceptions for error statuses), but its event stream is read here:
/// <see cref="SseEventReader"/> over the response body (one pass, guarded with the attempt's exchange) and
/// <see cref="StreamChunkDecoder"/> per event, which yields the updates the adapter would, without the SDK's per-chunk
/// copies, <c>JsonDocument</c>s and model objects (about 2.2 KB and several µs a chunk).
/// </summary>
internal sealed class ProviderStreamingChatClient(IChatClient sdk) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        sdk.GetResponseAsync(messages, options, cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (response, exchange) = await OpenAsync(messages, options, cancellationToken).ConfigureAwait(false);
        try
        {
            var body = response.ContentStream ?? throw new InvalidOperationException("Unable to create result from response with null ContentStream");
            var decoder = new StreamChunkDecoder();
            using (var events = new SseEventReader(body, exchange))
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (await events.ReadDataAsync(cancellationToken).ConfigureAwait(false) is not { } data) break;
                    if (decoder.Parse(data.Span) is not { } update) break; // [DONE]: the rest of the body is not read, as with the SDK
                    yield return update;
                }
            }
            if (decoder.Complete() is { } toolCalls) yield return toolCalls;
        }
        finally
        {
            // Taken out before the response is disposed: System.ClientModel buffers a seekable body on Dispose, and that
            // fails once it has been read (a test transport's MemoryStream; a network body is neither).
            var body = response.ContentStream;
            response.ContentStream = null;
            body?.Dispose();
            response.Dispose();
        }
    }

    /// <summary>Has the SDK send the request (through the adapter, so the body is the one it builds) and takes the response.</summary>
    private async Task<(PipelineResponse Response, WireExchange? Exchange)> OpenAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var handoff = new SdkStreamHandoff();
        using (SdkStreamHandoff.Begin(handoff))
        {
            try
            {
                await foreach (var _ in sdk.GetStreamingResponseAsync(messages, options, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
                    throw new InvalidOperationException("The OpenAI SDK parsed a stream the provider layer should have read; is its chat client a ProviderSdkChatClient?");
            }
            catch
            {
                handoff.Response?.Dispose();
                throw;
            }
        }
        return (handoff.Response ?? throw new InvalidOperationException("The OpenAI SDK sent no streaming request; is its chat client a ProviderSdkChatClient?"),
            handoff.Exchange);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : sdk.GetService(serviceType, serviceKey);

    public void Dispose() => sdk.Dispose();
}
