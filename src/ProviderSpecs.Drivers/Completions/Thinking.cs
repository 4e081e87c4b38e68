using ProviderSpecs.Providers.Chat;
using Shouldly;

namespace ProviderSpecs.Drivers.Completions;

/// <summary>Where an answer's thinking was: sent apart from its text, in its text between think tags, or nowhere.</summary>
public enum ThinkingPlace
{
    Apart,
    InText,
    Nowhere,
}

/// <summary>
/// Checks on a reasoning model's answer that hold live as well as simulated: where the thinking went, never what it
/// says or how long it is (both differ from one call to the next).
/// </summary>
public static class Thinking
{
    private const string OpeningTag = "<think>";
    private const string ClosingTag = "</think>";

    /// <summary>The words a feature uses for each place.</summary>
    public static readonly IReadOnlyDictionary<string, ThinkingPlace> Places = new Dictionary<string, ThinkingPlace>(StringComparer.Ordinal)
    {
        ["apart from its text"] = ThinkingPlace.Apart,
        ["in its text, between think tags"] = ThinkingPlace.InText,
        ["nowhere"] = ThinkingPlace.Nowhere,
    };

    public static ThinkingPlace PlaceNamed(string words) =>
        Places.TryGetValue(words, out var place)
            ? place
            : throw new ArgumentException($"'{words}' is not a place for thinking; say one of: {string.Join(", ", Places.Keys.Select(k => $"\"{k}\""))}.");

    public static void ShouldBe(ChatResult answer, ThinkingPlace place)
    {
        var text = answer.Text;
        var reasoning = answer.Reasoning;
        switch (place)
        {
            case ThinkingPlace.Apart:
                reasoning.ShouldNotBeNullOrWhiteSpace($"the answer should carry its thinking apart from its text; it carries none (text: '{Excerpt(text)}')");
                text.ShouldNotContain(OpeningTag, customMessage: "thinking sent apart should not also be in the text");
                // Where the provider counts the thinking, it is part of the output tokens, not beside them.
                if (answer.Usage is { ReasoningTokens: { } thought, OutputTokens: { } output })
                    thought.ShouldBeInRange(1, output, "the reasoning tokens the provider reports, within its output tokens");
                break;
            case ThinkingPlace.InText:
                reasoning.ShouldBeNullOrEmpty("thinking in the text should not also come apart");
                text.TrimStart().ShouldStartWith(OpeningTag, customMessage: $"the text should open with the thinking between think tags: '{Excerpt(text)}'");
                text.ShouldContain(ClosingTag, customMessage: $"the thinking in the text should be closed by {ClosingTag} (unless the limit cut it): '{Excerpt(text)}'");
                break;
            case ThinkingPlace.Nowhere:
                reasoning.ShouldBeNullOrEmpty("hidden thinking should not come apart");
                text.ShouldNotContain(OpeningTag, customMessage: "hidden thinking should not be in the text");
                break;
        }
    }

    /// <summary>A stream sends its thinking first: no text before its last piece of thinking.</summary>
    public static void ShouldComeBeforeTheAnswer(StreamedAnswer streamed)
    {
        var chunks = streamed.Chunks;
        var lastThought = chunks.LastOrDefault(c => c.Reasoning.Length > 0)
                          ?? throw new ShouldAssertException($"no chunk of the stream carried thinking apart ({chunks.Count} chunks)");
        var firstText = chunks.FirstOrDefault(c => c.Text.Length > 0)
                        ?? throw new ShouldAssertException("no chunk of the stream carried text: the answer after the thinking is missing");
        firstText.Index.ShouldBeGreaterThanOrEqualTo(lastThought.Index, "the answer's text began before the thinking was over");
        string.Concat(chunks.Select(c => c.Reasoning)).ShouldBe(streamed.Result.Reasoning, "the chunks' thinking, in arrival order, should be the result's");
    }

    private static string Excerpt(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
