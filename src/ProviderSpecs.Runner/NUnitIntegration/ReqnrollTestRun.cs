using System.Text.Json;
using NUnit.Framework;
using Reqnroll;

namespace ProviderSpecs.Runner.NUnitIntegration;

/// <summary>
/// Base class of a suite's <c>[SetUpFixture]</c>: starts and ends the Reqnroll test run around all features
/// ([BeforeTestRun]/[AfterTestRun] hooks, formatters). Before starting it checks reqnroll.json, so a missing
/// or broken configuration fails every test with a message naming the file, instead of running with
/// defaults that would let undefined steps pass as skipped.
/// </summary>
public abstract class ReqnrollTestRun
{
    public const string ConfigurationFileName = "reqnroll.json";

    [OneTimeSetUp]
    public async Task StartTestRunAsync()
    {
        var location = SuiteLocation.For(GetType().Assembly);
        var configuration = ValidateConfiguration(Path.Combine(AppContext.BaseDirectory, ConfigurationFileName));
        Directory.CreateDirectory(location.ReportsDirectory);
        PlaceFormatterOutputsIn(location.ReportsDirectory, configuration);
        await TestRunnerManager.OnTestRunStartAsync(GetType().Assembly);
    }

    [OneTimeTearDown]
    public async Task EndTestRunAsync()
    {
        await TestRunnerManager.OnTestRunEndAsync(GetType().Assembly);
        await OnTestRunEndedAsync(SuiteLocation.For(GetType().Assembly));
    }

    /// <summary>Runs after Reqnroll has closed the run and its formatters have written their files.</summary>
    protected virtual Task OnTestRunEndedAsync(SuiteLocation location) => Task.CompletedTask;

    /// <summary>Throws a message naming the file and what to do when the configuration is missing or not valid JSON.</summary>
    public static JsonElement ValidateConfiguration(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"{path} is missing. The test project must copy reqnroll.json to its output folder " +
                "(<None Include=\"../reqnroll.json\" CopyToOutputDirectory=\"PreserveNewest\" />).", path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: the configuration must be a JSON object, not {document.RootElement.ValueKind}.");
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"{path} is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}): {e.Message} Fix the file and run again.", e);
        }
    }

    /// <summary>
    /// Formatter output paths in reqnroll.json are relative to the suite's reports folder (Reqnroll itself would
    /// take them relative to the test host's output folder). Expressed through Reqnroll's own
    /// REQNROLL_FORMATTERS_&lt;NAME&gt; variables; one the user has set already wins.
    /// </summary>
    public static void PlaceFormatterOutputsIn(string reportsDirectory, JsonElement configuration)
    {
        if (!configuration.TryGetProperty("formatters", out var formatters) || formatters.ValueKind != JsonValueKind.Object)
            return;
        foreach (var formatter in formatters.EnumerateObject())
        {
            var variable = "REQNROLL_FORMATTERS_" + formatter.Name.ToUpperInvariant();
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)) || formatter.Value.ValueKind != JsonValueKind.Object)
                continue;
            var settings = formatter.Value.EnumerateObject()
                .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                .ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            if (!settings.TryGetValue("outputFilePath", out var output) || Path.IsPathRooted(output))
                continue;
            settings["outputFilePath"] = Path.GetFullPath(Path.Combine(reportsDirectory, output));
            Environment.SetEnvironmentVariable(variable, string.Join(";", settings.Select(s => $"{s.Key}={s.Value}")));
        }
    }
}
