using System.Text;
using System.Text.Json;
using ProviderSpecs.Benchmarking.Metrics;

namespace ProviderSpecs.Benchmarking.Results;

/// <summary>
/// The request log beside a run's results: JSON Lines, one line per measured request of every scenario that kept its
/// records — the scenario's position in the results file, its provider, model and load, then the <see cref="RequestRecord"/>.
/// A merge reads each worker's log and writes one with every worker's lines.
/// </summary>
public static class RequestLog
{
    public const string FileName = "benchmark-requests.jsonl";

    private static readonly JsonSerializerOptions LineOptions = new(BenchmarkDocument.JsonOptions) { WriteIndented = false };

    /// <summary>Writes the log of every scenario that kept its records; false, and no file, when none did.</summary>
    public static bool Write(BenchmarkDocument document, string path)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Scenarios.All(s => s.Requests is null)) return false;
        var worker = document.Metadata.Worker?.Index ?? 0;
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream);
        var newline = "\n"u8.ToArray();
        for (var i = 0; i < document.Scenarios.Count; i++)
        {
            var scenario = document.Scenarios[i];
            foreach (var request in scenario.Requests ?? [])
            {
                writer.WriteStartObject();
                writer.WriteNumber("scenario", i);
                writer.WriteString("provider", scenario.Provider);
                writer.WriteString("model", scenario.Model);
                writer.WriteString("load", scenario.Load.Description);
                // A single run's records say worker 0; its own index is the document's.
                var fields = JsonSerializer.SerializeToElement(document.MergedFrom is null ? request with { Worker = worker } : request, LineOptions);
                foreach (var field in fields.EnumerateObject()) field.WriteTo(writer);
                writer.WriteEndObject();
                writer.Flush();
                stream.Write(newline);
                writer.Reset();
            }
        }
        return true;
    }

    /// <summary>
    /// Reads a log into each scenario's records, by scenario position; throws <see cref="InvalidDataException"/> naming
    /// the line that is not a request of one of <paramref name="scenarioCount"/> scenarios.
    /// </summary>
    public static IReadOnlyDictionary<int, List<RequestRecord>> Read(string path, int scenarioCount)
    {
        var records = new Dictionary<int, List<RequestRecord>>();
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (line.Length == 0) continue;
            int scenario;
            RequestRecord? record;
            try
            {
                using var json = JsonDocument.Parse(line);
                scenario = json.RootElement.TryGetProperty("scenario", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : -1;
                record = json.RootElement.Deserialize<RequestRecord>(LineOptions);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"line {number} is not a request record: {e.Message}");
            }
            if (scenario < 0 || scenario >= scenarioCount || record is null)
                throw new InvalidDataException($"line {number} names no scenario of the results file's {scenarioCount}: the two files are not of the same run.");
            if (!records.TryGetValue(scenario, out var list)) records[scenario] = list = [];
            list.Add(record);
        }
        return records;
    }
}
