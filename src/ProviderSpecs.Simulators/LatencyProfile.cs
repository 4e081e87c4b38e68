using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProviderSpecs.Simulators;

/// <summary>
/// One random quantity of a latency profile. <c>fixed</c> uses <see cref="Value"/>; <c>normal</c> uses
/// <see cref="Mean"/> and <see cref="Sd"/>; <c>lognormal</c> uses <see cref="Median"/> and <see cref="P90"/>
/// (the 90th percentile). Every sample is clamped to [<see cref="Min"/>, <see cref="Max"/>] when given.
/// </summary>
public sealed record LatencyDistribution
{
    private const double Z90 = 1.2815515655446004; // standard normal quantile at 0.90

    public string Distribution { get; init; } = "fixed";
    public double? Value { get; init; }
    public double? Mean { get; init; }
    public double? Sd { get; init; }
    public double? Median { get; init; }
    public double? P90 { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }

    public static LatencyDistribution Fixed(double value) => new() { Distribution = "fixed", Value = value };

    internal double Sample(Random rng)
    {
        var raw = Distribution switch
        {
            "fixed" => Value!.Value,
            "normal" => Mean!.Value + Sd!.Value * rng.NextGaussian(),
            "lognormal" => Math.Exp(Math.Log(Median!.Value) + (Math.Log(P90!.Value) - Math.Log(Median.Value)) / Z90 * rng.NextGaussian()),
            _ => throw new InvalidOperationException($"Unknown distribution '{Distribution}'."),
        };
        if (Min is { } min) raw = Math.Max(min, raw);
        if (Max is { } max) raw = Math.Min(max, raw);
        return Math.Max(0, raw);
    }

    /// <summary>Returns why this distribution cannot be sampled, or null when it can.</summary>
    internal string? Problem() => Distribution switch
    {
        "fixed" when Value is null or < 0 => "'fixed' needs a non-negative 'value'",
        "normal" when Mean is null || Sd is null or < 0 => "'normal' needs 'mean' and a non-negative 'sd'",
        "lognormal" when Median is null or <= 0 || P90 is null || P90 < Median => "'lognormal' needs 'median' > 0 and 'p90' >= 'median'",
        "fixed" or "normal" or "lognormal" => Min is { } min && Max is { } max && min > max ? "'min' is greater than 'max'" : null,
        _ => $"unknown distribution '{Distribution}' (use fixed, normal or lognormal)",
    };
}

/// <summary>
/// How one model paces its answers. Times are in seconds, the decode rate in tokens per second.
/// The first content chunk is sent <c>queueTime + timeToFirstToken</c> after the request arrived
/// (timeToFirstToken is the part after leaving the queue, Groq's <c>prompt_time</c>); later chunks
/// follow at the decode rate, <see cref="TokensPerChunk"/> tokens each.
/// </summary>
public sealed record ModelLatencyProfile
{
    public required LatencyDistribution QueueTime { get; init; }
    public required LatencyDistribution TimeToFirstToken { get; init; }
    public required LatencyDistribution DecodeRate { get; init; }
    public int TokensPerChunk { get; init; } = 4;

    /// <summary>A profile without randomness, for scenarios that need exact timings.</summary>
    public static ModelLatencyProfile Fixed(TimeSpan queueTime, TimeSpan timeToFirstToken, double tokensPerSecond, int tokensPerChunk = 4) => new()
    {
        QueueTime = LatencyDistribution.Fixed(queueTime.TotalSeconds),
        TimeToFirstToken = LatencyDistribution.Fixed(timeToFirstToken.TotalSeconds),
        DecodeRate = LatencyDistribution.Fixed(tokensPerSecond),
        TokensPerChunk = tokensPerChunk,
    };

    internal string? Problem()
    {
        if (TokensPerChunk < 1) return "'tokensPerChunk' must be at least 1";
        if (QueueTime.Problem() is { } q) return "queueTime: " + q;
        if (TimeToFirstToken.Problem() is { } t) return "timeToFirstToken: " + t;
        if (DecodeRate.Problem() is { } d) return "decodeRate: " + d;
        return null;
    }
}

/// <summary>The pacing a single request was given: sampled once, before anything is sent.</summary>
internal readonly record struct PacingPlan(double QueueSeconds, double TimeToFirstTokenSeconds, double TokensPerSecond, int TokensPerChunk)
{
    public static PacingPlan Sample(ModelLatencyProfile profile, Random rng, double timeScale) => new(
        profile.QueueTime.Sample(rng) * timeScale,
        profile.TimeToFirstToken.Sample(rng) * timeScale,
        // Scaling time down by s is the same as decoding s times faster.
        Math.Max(0.001, profile.DecodeRate.Sample(rng)) / Math.Max(timeScale, 1e-9),
        profile.TokensPerChunk);
}

/// <summary>The latency profiles of one provider, read from <c>fixtures/latency-profiles/&lt;provider&gt;.json</c>.</summary>
public sealed class LatencyProfileSet
{
    public const string DefaultModelKey = "default";

    public LatencyProfileSet(IReadOnlyDictionary<string, ModelLatencyProfile> models)
    {
        if (!models.ContainsKey(DefaultModelKey))
            throw new ArgumentException($"A latency profile set needs a '{DefaultModelKey}' entry used for models without their own.", nameof(models));
        Models = models;
    }

    public IReadOnlyDictionary<string, ModelLatencyProfile> Models { get; }

    public ModelLatencyProfile For(string model) => Models.TryGetValue(model, out var profile) ? profile : Models[DefaultModelKey];

    internal static LatencyProfileSet Load(FixtureFiles files, string relativePath)
    {
        var path = files.PathOf(relativePath);
        var file = FixtureJson.Read<LatencyProfileFile>(path, files.Read(relativePath));
        if (file.Models is null || file.Models.Count == 0) throw new SimulatorFixtureException(path, "it has no 'models' object");
        foreach (var (model, profile) in file.Models)
            if (profile.Problem() is { } problem) throw new SimulatorFixtureException(path, $"model '{model}': {problem}");
        if (!file.Models.ContainsKey(DefaultModelKey))
            throw new SimulatorFixtureException(path, $"it has no '{DefaultModelKey}' profile for models without their own");
        return new LatencyProfileSet(file.Models);
    }

    private sealed record LatencyProfileFile
    {
        public string? Provider { get; init; }
        public string? Source { get; init; }
        public Dictionary<string, ModelLatencyProfile>? Models { get; init; }
    }
}

/// <summary>A fixture file that is missing or does not parse; the message names the file and what is wrong.</summary>
public sealed class SimulatorFixtureException(string path, string reason, Exception? inner = null)
    : Exception($"Simulator fixture '{path}' is not usable: {reason}.", inner)
{
    public string FixturePath { get; } = path;
}

internal static class FixtureJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static T Read<T>(string path, string text)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, Options)
                   ?? throw new SimulatorFixtureException(path, "it contains JSON null");
        }
        catch (JsonException ex)
        {
            throw new SimulatorFixtureException(path, ex.Message, ex);
        }
    }
}
