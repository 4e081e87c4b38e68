using System.Globalization;
using System.Text.RegularExpressions;

namespace ProviderSpecs.Providers.Catalog;

/// <summary>
/// A model's size in parameters, as its id states it: <c>llama-3.3-70b-versatile</c> is 70 billion,
/// <c>Qwen3-Coder-480B-A35B-Instruct-FP8</c> is a mixture of experts of 480 billion with 35 billion active per token,
/// <c>llama-prompt-guard-2-22m</c> is 22 million (0.022 billion). Neither <c>/models</c> nor the bundled snapshot states a
/// size, so the id is the only source, and an id that does not state one gives no size:
/// <list type="bullet">
/// <item>no size token at all (<c>deepseek-ai/DeepSeek-R1</c>, <c>whisper-large-v3</c>, <c>Kimi-K2.6</c>);</item>
/// <item>an effective size (<c>gemma-3n-E4B-it</c>: "E4B" is not its parameter count);</item>
/// <item>experts times their size (<c>Mixtral-8x7B</c>: shared layers make the total less than 8 × 7);</item>
/// <item>an active size next to the number of experts (<c>llama-4-scout-17b-16e</c>): the active size is known, the total is not.</item>
/// </list>
/// </summary>
/// <param name="TotalBillions">All parameters, in billions; null when the id states only the active ones.</param>
/// <param name="ActiveBillions">Parameters used per token by a mixture of experts, in billions; null for a dense model or when not stated.</param>
public sealed partial record ModelSize(decimal? TotalBillions, decimal? ActiveBillions)
{
    /// <summary>The size the id states, or null when it states none (see the type's remarks).</summary>
    public static ModelSize? FromId(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        var name = id[(id.LastIndexOf('/') + 1)..];
        var tokens = name.Split(['-', '_', ':', ' '], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (Experts().IsMatch(tokens[i])) return null; // 8x7B: no honest total
            if (Billions(tokens[i]) is not { } size) continue;
            var next = i + 1 < tokens.Length ? tokens[i + 1] : "";
            if (ExpertCount().IsMatch(next)) return new ModelSize(null, size); // 17b-16e: active size, 16 experts
            var active = Active().Match(next) is { Success: true } a ? Number(a.Groups[1].Value) : (decimal?)null;
            return new ModelSize(size, active);
        }
        return null;
    }

    /// <summary>"70B", "8b" → billions; "22m", "80M" → millions as billions; anything else null.</summary>
    private static decimal? Billions(string token)
    {
        var match = Size().Match(token);
        if (!match.Success) return null;
        var number = Number(match.Groups[1].Value);
        return char.ToLowerInvariant(match.Groups[2].Value[0]) == 'm' ? number / 1000m : number;
    }

    private static decimal Number(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    public override string ToString() => (TotalBillions, ActiveBillions) switch
    {
        ({ } total, { } active) => $"{Format(total)}B ({Format(active)}B active)",
        ({ } total, null) => $"{Format(total)}B",
        (null, { } active) => $"{Format(active)}B active (total not stated)",
        _ => "size not stated",
    };

    private static string Format(decimal billions) => billions.ToString("0.###", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([bBmM])$")]
    private static partial Regex Size();

    [GeneratedRegex(@"^[aA](\d+(?:\.\d+)?)[bB]$")]
    private static partial Regex Active();

    [GeneratedRegex(@"^\d+[eE]$")]
    private static partial Regex ExpertCount();

    [GeneratedRegex(@"^\d+[xX]\d+(?:\.\d+)?[bBmM]$")]
    private static partial Regex Experts();
}
