using System.Collections.Concurrent;
using System.Text.Json;

namespace ProviderSpecs.Drivers.Reliability;

/// <summary>
/// One cell of the fault matrix (the shape of <c>FaultMatrixRow</c> in ProviderSpecs.LivingDoc): a fault at a provider in one
/// mode, the error key expected and the one met, whether the scenario passed, and how long the call took.
/// </summary>
public sealed record FaultMatrixCell(string Fault, string Provider, string? Mode, string ExpectedKey, string? ActualKey, bool Passed, double? ElapsedMs);

/// <summary>
/// The cells of the whole run, collected from features running in parallel and written once to
/// <c>reports/fault-matrix.json</c>, which the living documentation shows as a table.
/// </summary>
public static class FaultMatrix
{
    public const string FileName = "fault-matrix.json";
    private static readonly ConcurrentBag<FaultMatrixCell> Cells = [];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Add(FaultMatrixCell cell) => Cells.Add(cell);

    public static IReadOnlyList<FaultMatrixCell> Snapshot() =>
        Cells.OrderBy(c => c.Provider, StringComparer.Ordinal).ThenBy(c => c.Fault, StringComparer.Ordinal)
            .ThenBy(c => c.Mode, StringComparer.Ordinal).ToList();

    /// <summary>Writes the cells (if any were recorded in this run) atomically: a temporary file, then a rename.</summary>
    public static string? WriteTo(string reportsDirectory)
    {
        var cells = Snapshot();
        if (cells.Count == 0) return null;
        Directory.CreateDirectory(reportsDirectory);
        var path = Path.Combine(reportsDirectory, FileName);
        var temporary = path + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(cells, Json));
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
