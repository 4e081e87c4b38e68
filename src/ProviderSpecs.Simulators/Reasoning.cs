namespace ProviderSpecs.Simulators;

/// <summary>Where a reasoning model puts its thinking when it is shown.</summary>
internal enum ReasoningOutput
{
    /// <summary>A <c>reasoning</c> field apart from the content (<c>message.reasoning</c>, <c>delta.reasoning</c>).</summary>
    Field,

    /// <summary>In the content, between <c>&lt;think&gt;</c> and <c>&lt;/think&gt;</c>, before the answer.</summary>
    ThinkTags,
}

/// <summary>How one answer shows its thinking.</summary>
internal enum ReasoningShown
{
    /// <summary>No thinking at all (the model does not reason, or it was switched off).</summary>
    None,
    Field,
    InContent,

    /// <summary>Thought, counted and paid for, but not sent.</summary>
    Hidden,
}

/// <summary>
/// A model that thinks before it answers, from its catalog entry's <c>simulator.reasoning</c> block:
/// <c>{"output": "field" | "think-tags", "efforts": [...], "defaultEffort": "...", "formats": true, "toggle": true, "source": "..."}</c>.
/// <see cref="Efforts"/> empty: the model takes no effort control. <see cref="Formats"/>: Groq's <c>reasoning_format</c> applies.
/// <see cref="Toggle"/>: a hybrid model, whose thinking Together's <c>reasoning: {"enabled": …}</c> switches on or off
/// (<see cref="OnByDefault"/> when the request does not say).
/// </summary>
internal sealed record ReasoningTraits(ReasoningOutput Output, IReadOnlyList<string> Efforts, string DefaultEffort, bool Formats, bool Toggle = false, bool OnByDefault = true)
{
    /// <summary>The effort of a model that takes no effort control, and Qwen 3's "thinking on" on Groq.</summary>
    public const string PlainEffort = "default";

    // How many tokens one answer thinks for, by effort: the simulator's choice (real lengths depend on the question),
    // ordered so that more effort costs more tokens and time, as it does live.
    private static readonly Dictionary<string, (int Min, int Max)> ThinkingLengths = new(StringComparer.Ordinal)
    {
        ["none"] = (0, 0),
        ["low"] = (8, 32),
        [PlainEffort] = (24, 96),
        ["medium"] = (24, 96),
        ["high"] = (64, 256),
        ["max"] = (128, 512),
    };

    public static IEnumerable<string> KnownEfforts => ThinkingLengths.Keys;

    public static bool IsKnownEffort(string effort) => ThinkingLengths.ContainsKey(effort);

    public static int SampleLength(string effort, Random rng)
    {
        var (min, max) = ThinkingLengths[effort];
        return max == 0 ? 0 : rng.Next(min, max + 1);
    }
}

/// <summary>What one request's answer does with thinking: how it is shown, and the effort that decides how long it is.</summary>
internal sealed record ReasoningDecision(ReasoningShown Shown, string Effort)
{
    public static readonly ReasoningDecision NoReasoning = new(ReasoningShown.None, "none");
}
