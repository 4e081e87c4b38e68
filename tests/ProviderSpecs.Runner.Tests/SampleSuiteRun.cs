using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Xml.Linq;

namespace ProviderSpecs.Runner.Tests;

/// <summary>
/// Runs the sample suite in a child <c>dotnet test</c>, exactly as a user would, and exposes what came out:
/// the NUnit outcome and message of every test (from the TRX file), the console text and the Cucumber
/// message stream the formatters wrote.
/// </summary>
public sealed class SampleSuiteRun
{
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public required IReadOnlyDictionary<string, TestOutcome> Outcomes { get; init; }
    public required string Console { get; init; }
    public required string ReportsDirectory { get; init; }
    public required int ExitCode { get; init; }

    public IReadOnlyList<JsonElement> Envelopes() =>
        File.ReadLines(Path.Combine(ReportsDirectory, "sample.ndjson"))
            .Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();

    public static string Metadata(string key) =>
        typeof(SampleSuiteRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static SampleSuiteRun Execute(string? filter = null)
    {
        var work = Directory.CreateTempSubdirectory("sample-suite-");
        var reports = Path.Combine(work.FullName, "reports");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = work.FullName,
        };
        foreach (var argument in new[] { "test", Metadata("SampleSuiteAssembly"), "--logger", "trx;LogFileName=run.trx", "--results-directory", work.FullName })
            start.ArgumentList.Add(argument);
        if (filter is not null)
        {
            start.ArgumentList.Add("--filter");
            start.ArgumentList.Add(filter);
        }
        start.Environment["SPECS_REPORTS_DIR"] = reports;
        // The parent test run's own formatter settings must not leak into the child.
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("REQNROLL_FORMATTERS", StringComparison.Ordinal)))
            start.Environment.Remove(key);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The sample suite did not finish within 3 minutes.");
        }

        var trx = Path.Combine(work.FullName, "run.trx");
        var outcomes = File.Exists(trx)
            ? XDocument.Load(trx).Descendants(Trx + "UnitTestResult").ToDictionary(
                r => (string)r.Attribute("testName")!,
                r => new TestOutcome((string)r.Attribute("outcome")!, r.Descendants(Trx + "Message").FirstOrDefault()?.Value ?? ""))
            : new Dictionary<string, TestOutcome>();

        return new SampleSuiteRun
        {
            Outcomes = outcomes,
            Console = stdout.Result + stderr.Result,
            ReportsDirectory = reports,
            ExitCode = process.ExitCode,
        };
    }
}

public sealed record TestOutcome(string Outcome, string Message);
