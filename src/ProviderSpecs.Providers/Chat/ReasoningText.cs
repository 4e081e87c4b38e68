using Microsoft.Extensions.AI;

namespace ProviderSpecs.Providers.Chat;

/// <summary>A reasoning model's thinking among a reply's or a streamed update's contents.</summary>
public static class ReasoningText
{
    /// <summary>The <see cref="TextReasoningContent"/> texts joined in order; null when there is none.</summary>
    public static string? Of(IEnumerable<AIContent> contents)
    {
        string? joined = null;
        foreach (var content in contents)
            if (content is TextReasoningContent reasoning) joined = joined is null ? reasoning.Text : joined + reasoning.Text;
        return joined;
    }
}
