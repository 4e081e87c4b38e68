using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProviderSpecs.Benchmarking.Results;

/// <summary>The versioned JSON result document of a benchmark run.</summary>
public sealed record BenchmarkDocument
{
    /// <summary>Bump when a field changes meaning or is removed; readers reject other versions.</summary>
    public const int CurrentSchemaVersion = 1;

    public const string FileName = "benchmark-results.json";

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required RunMetadata Metadata { get; init; }
    public IReadOnlyList<ScenarioResult> Scenarios { get; init; } = [];
    public IReadOnlyList<SweepResult> Sweeps { get; init; } = [];

    /// <summary>
    /// What the run was asked to do as a whole, before it was shared among workers; a merge only combines documents of
    /// one plan. Null in files written before plans were recorded.
    /// </summary>
    public BenchmarkPlan? Plan { get; init; }

    /// <summary>For a merged document: the workers it was merged from. Null for a single run.</summary>
    public IReadOnlyList<MergedWorker>? MergedFrom { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static BenchmarkDocument FromJson(string json)
    {
        using (var probe = JsonDocument.Parse(json))
        {
            if (!probe.RootElement.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number)
                throw new InvalidDataException("The benchmark result has no numeric schemaVersion: it was not written by this benchmark framework.");
            if (version.GetInt32() != CurrentSchemaVersion)
                throw new InvalidDataException(
                    $"The benchmark result has schemaVersion {version.GetInt32()}, this reader understands {CurrentSchemaVersion}: re-run the benchmark or use a matching version.");
        }
        return JsonSerializer.Deserialize<BenchmarkDocument>(json, JsonOptions)
               ?? throw new InvalidDataException("The benchmark result is empty.");
    }

    /// <summary>Writes <see cref="FileName"/> into <paramref name="outputDirectory"/> (created if missing) and returns its path.</summary>
    public string Save(string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var path = Path.Combine(outputDirectory, FileName);
        File.WriteAllText(path, ToJson());
        return path;
    }

    public static BenchmarkDocument Load(string path) => FromJson(File.ReadAllText(path));
}

/// <summary>Where and how a benchmark ran.</summary>
public sealed record RunMetadata(
    string Target,
    DateTimeOffset StartedAt,
    string Machine,
    string OperatingSystem,
    int ProcessorCount,
    string Runtime,
    string FrameworkVersion,
    int? Seed,
    string? Notes = null,
    WorkerIdentity? Worker = null)
{
    /// <summary>Metadata of this machine and process; <paramref name="target"/> is "simulated" or "live".</summary>
    public static RunMetadata Capture(string target, int? seed = null, string? notes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var version = typeof(RunMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                      ?? typeof(RunMetadata).Assembly.GetName().Version?.ToString() ?? "unknown";
        return new RunMetadata(target, DateTimeOffset.UtcNow, Environment.MachineName, RuntimeInformation.OSDescription,
            Environment.ProcessorCount, RuntimeInformation.FrameworkDescription, version, seed, notes);
    }
}

/// <summary>
/// A benchmark's plan: what every worker of it was asked to run, independent of which worker it is. Two results are of
/// one plan when all of this is equal.
/// </summary>
public sealed record BenchmarkPlan
{
    /// <summary>How many workers share the plan (1 for a run on one machine).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>The seed every worker derives its own from: worker <c>i</c> uses <c>SeedFamily + i</c> (so open-loop arrivals differ).</summary>
    public int? SeedFamily { get; init; }

    /// <summary>The options that define the plan, by name (e.g. <c>requests</c> → <c>400</c>, the total over all workers).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>Which worker of a plan wrote a result: index (0-based) of <see cref="Count"/>, its label (e.g. a region) and its own seed.</summary>
public sealed record WorkerIdentity(int Index, int Count, string? Label, int? Seed);

/// <summary>One worker a merged document was made from.</summary>
public sealed record MergedWorker(int Index, string? Label, int? Seed, string Machine, DateTimeOffset StartedAt, string Source);
