using System.Globalization;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Cli.Support;

/// <summary>
/// One <c>simulate --fault</c> value: <c>PROVIDER[/MODEL]:FAULT[,count=N][,retry-after=SECONDS][,delay=SECONDS][,after-chunks=N]</c>,
/// e.g. <c>groq:rate-limit-sequence,count=2,retry-after=1.5</c> or <c>together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo:overloaded</c>.
/// Model ids may hold slashes, so the fault is what follows the last colon before the first comma.
/// </summary>
internal sealed record FaultArgument(string Text, string ProviderId, FaultKind Kind, FaultOptions Options)
{
    public const string Syntax = "PROVIDER[/MODEL]:FAULT[,count=N][,retry-after=SECONDS][,delay=SECONDS][,after-chunks=N]";
    public const string Example = "groq:rate-limit-sequence,count=2,retry-after=1.5";

    private static readonly string[] OptionNames = ["count", "retry-after", "delay", "after-chunks"];

    /// <summary>Parses one value; throws a <see cref="CliException"/> (bad input) naming the part that is wrong and showing a correct example.</summary>
    public static FaultArgument Parse(string text)
    {
        var parts = text.Split(',');
        var head = parts[0].Trim();
        var colon = head.LastIndexOf(':');
        if (colon <= 0 || colon == head.Length - 1)
            throw Bad(text, $"expected {Syntax}");

        var target = head[..colon];
        var slash = target.IndexOf('/');
        var providerName = slash < 0 ? target : target[..slash];
        var model = slash < 0 ? null : target[(slash + 1)..];
        if (model is { Length: 0 }) throw Bad(text, $"'{target}' ends with '/' but names no model; give {providerName}/MODEL or just {providerName}");
        if (!ProviderRegistry.Default.TryResolve(providerName, out var provider) || !ProviderIds.All.Contains(provider.Id))
            throw Bad(text, $"'{providerName}' is not a simulated provider (groq, together_ai or together).{Names.DidYouMean(providerName, ["groq", "together_ai", "together"])}");

        var faultName = head[(colon + 1)..];
        if (!FaultNames.TryParse(faultName, out var kind))
            throw Bad(text, $"'{faultName}' is not a fault.{Names.DidYouMean(faultName, FaultNames.All)} Faults: {string.Join(", ", FaultNames.All)}");

        var options = new FaultOptions { Model = model };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1).Select(p => p.Trim()))
        {
            var equals = part.IndexOf('=');
            var name = equals < 0 ? part : part[..equals].Trim();
            var value = equals < 0 ? "" : part[(equals + 1)..].Trim();
            if (!OptionNames.Contains(name))
                throw Bad(text, $"'{part}' is not an option; options are {string.Join(", ", OptionNames.Select(o => o + "=…"))}");
            if (!seen.Add(name)) throw Bad(text, $"'{name}' is given twice");
            options = name switch
            {
                "count" => options with { Count = WholeNumber(text, name, value, minimum: 1) },
                "after-chunks" => options with { AfterChunks = WholeNumber(text, name, value, minimum: 0) },
                "retry-after" => options with { RetryAfter = Seconds(text, name, value) },
                _ => options with { Delay = Seconds(text, name, value) },
            };
        }
        return new FaultArgument(text, provider.Id, kind, options);
    }

    /// <summary>The error for a fault the simulator refused (a model it does not serve, a fault the provider has not).</summary>
    public static CliException Refused(string text, ArgumentException reason) =>
        Bad(text, (reason.ParamName is null ? reason.Message : reason.Message.Replace($" (Parameter '{reason.ParamName}')", "", StringComparison.Ordinal)).TrimEnd('.'));

    private static int WholeNumber(string text, string name, string value, int minimum) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= minimum
            ? number
            : throw Bad(text, $"{name} must be a whole number of at least {minimum} (got '{value}')");

    private static TimeSpan Seconds(string text, string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds is >= 0 and <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : throw Bad(text, $"{name} is in seconds, from 0 to 86400, e.g. {name}=1.5 (got '{value}')");

    private static CliException Bad(string text, string problem) =>
        new($"--fault '{text}': {problem}. Example: --fault {Example}", ExitCodes.BadInput);
}
