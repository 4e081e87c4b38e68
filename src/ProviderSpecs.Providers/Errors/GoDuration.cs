using System.Globalization;

namespace ProviderSpecs.Providers.Errors;

/// <summary>Parses Go <c>time.Duration</c> strings as Groq sends them in reset headers: <c>1m26.4s</c>, <c>185ms</c>, <c>2m59.56s</c>.</summary>
public static class GoDuration
{
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a Go duration; expected forms like 185ms, 11.75s or 1m26.4s.");

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var span = text.AsSpan().Trim();
        if (span is "0") return true;
        double totalMs = 0;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.')) numberLength++;
            if (numberLength == 0) return false;
            if (!double.TryParse(span[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            span = span[numberLength..];
            var unitLength = 0;
            while (unitLength < span.Length && !char.IsAsciiDigit(span[unitLength]) && span[unitLength] != '.') unitLength++;
            double? unitMs = span[..unitLength] switch
            {
                "h" => 3_600_000, "m" => 60_000, "s" => 1_000, "ms" => 1,
                "us" or "µs" or "μs" => 0.001, "ns" => 0.000_001, _ => null,
            };
            if (unitMs is null) return false;
            totalMs += number * unitMs.Value;
            span = span[unitLength..];
        }
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }
}
