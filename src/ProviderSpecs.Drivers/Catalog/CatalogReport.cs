using System.Text.Json;
using System.Text.Json.Serialization;
using ProviderSpecs.Providers.Catalog;

namespace ProviderSpecs.Drivers.Catalog;

/// <summary>One row of <c>reports/catalog.json</c>, the shape the living doc reads (<c>ModelCatalogRow</c>).</summary>
public sealed record CatalogReportRow(
    string Provider,
    string Id,
    string? Kind,
    int? ContextWindow,
    int? MaxOutputTokens,
    decimal? PriceInPer1M,
    decimal? PriceOutPer1M,
    IReadOnlyList<string> Capabilities);

/// <summary>
/// Writes the catalog a run saw to <c>reports/catalog.json</c>: the rows of one provider replace that provider's
/// earlier rows, so features publishing different providers in parallel (or two runs) never lose each other's rows.
/// A process-wide lock plus an exclusive lock file serialise the read-merge-write.
/// </summary>
public static class CatalogReport
{
    public const string FileName = "catalog.json";
    private static readonly Lock Gate = new();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static IReadOnlyList<string> CapabilityNames(ModelCapabilities capabilities) =>
        new (bool? Flag, string Name)[]
        {
            (capabilities.Streaming, "streaming"), (capabilities.ToolCalls, "tools"), (capabilities.JsonMode, "json-mode"),
            (capabilities.JsonSchema, "json-schema"), (capabilities.Reasoning, "reasoning"), (capabilities.FineTunable, "fine-tuning"),
        }.Where(c => c.Flag == true).Select(c => c.Name).ToList();

    public static CatalogReportRow RowOf(ModelInfo model) => new(
        model.ProviderId, model.Id, CatalogText.KindName(model.Kind), model.ContextWindow, model.MaxOutputTokens,
        model.InputPricePerMillionTokens, model.OutputPricePerMillionTokens, CapabilityNames(model.Capabilities));

    /// <summary>Replaces <paramref name="providerId"/>'s rows in <c>{reportsDirectory}/catalog.json</c>; returns the file's path.</summary>
    public static string Publish(string reportsDirectory, string providerId, IEnumerable<ModelInfo> models)
    {
        Directory.CreateDirectory(reportsDirectory);
        var path = Path.Combine(reportsDirectory, FileName);
        var rows = models.Select(RowOf).ToList();
        lock (Gate)
        {
            using var fileLock = AcquireFileLock(path + ".lock");
            var merged = Read(path).Where(r => r.Provider != providerId).Concat(rows)
                .OrderBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
            var temporary = $"{path}.{Environment.ProcessId}.tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(merged, Json));
            File.Move(temporary, path, overwrite: true);
        }
        return path;
    }

    public static IReadOnlyList<CatalogReportRow> Read(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<CatalogReportRow>>(File.ReadAllText(path), Json) ?? [];
        }
        catch (JsonException)
        {
            return []; // a file from an older shape is replaced, not merged
        }
    }

    private static FileStream AcquireFileLock(string lockPath)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(20);
            }
        }
    }
}
