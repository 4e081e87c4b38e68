using ProviderSpecs.Providers.Chat;

namespace ProviderSpecs.Drivers.Completions;

/// <summary>
/// One chunk of a stream as the caller saw it: its text, the thinking it carried apart (a reasoning model's; empty
/// otherwise), and when it arrived (from the call's start).
/// </summary>
public sealed record StreamChunk(int Index, string Text, TimeSpan ArrivedAfter, string Reasoning = "");

/// <summary>A stream read to its end: the chunks in arrival order and the provider layer's result.</summary>
public sealed record StreamedAnswer(IReadOnlyList<StreamChunk> Chunks, ChatResult Result)
{
    public override string ToString() =>
        $"stream of {Chunks.Count} chunks from {Result.ProviderId}/{Result.Model}: finish {Result.FinishReason}, "
        + $"usage {Result.Usage?.InputTokens}/{Result.Usage?.OutputTokens}, text '{Result.Text}'";
}
