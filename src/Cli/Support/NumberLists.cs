using System.Globalization;

namespace ProviderSpecs.Cli.Support;

/// <summary>Parses option values such as <c>--concurrency 1,8,32</c>, with messages that say what to give.</summary>
internal static class NumberLists
{
    public static IReadOnlyList<int> PositiveInts(string text, string option, string example)
    {
        var values = new List<int>();
        foreach (var part in Split(text))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 1)
                throw new CliException($"{option} must be whole numbers of at least 1, e.g. {example} (got '{part}').");
            values.Add(value);
        }
        if (values.Count == 0) throw new CliException($"{option} needs a value, e.g. {example}.");
        return values;
    }

    public static IReadOnlyList<double> PositiveDoubles(string text, string option, string example)
    {
        var values = new List<double>();
        foreach (var part in Split(text))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value <= 0)
                throw new CliException($"{option} must be positive numbers, e.g. {example} (got '{part}').");
            values.Add(value);
        }
        if (values.Count == 0) throw new CliException($"{option} needs a value, e.g. {example}.");
        return values;
    }

    private static IEnumerable<string> Split(string text) =>
        text.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
