using System.Globalization;
using System.Text;

namespace ProviderSpecs.Simulators;

/// <summary>Formats a duration the way Go's time.Duration prints it, as Groq's reset headers do: <c>1m26.4s</c>, <c>185ms</c>, <c>11.75s</c>.</summary>
public static class GoDuration
{
    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero) return "0s";
        if (duration < TimeSpan.FromSeconds(1))
            return Number(Math.Round(duration.TotalMilliseconds, 2)) + "ms";

        var builder = new StringBuilder();
        var hours = (int)duration.TotalHours;
        if (hours > 0) builder.Append(hours).Append('h');
        if (hours > 0 || duration.Minutes > 0) builder.Append(duration.Minutes).Append('m');
        var seconds = duration.TotalSeconds - hours * 3600 - duration.Minutes * 60;
        builder.Append(Number(Math.Round(seconds, 2))).Append('s');
        return builder.ToString();
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
