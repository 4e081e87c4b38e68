using NUnit.Framework;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.LivingDoc;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Runner;
using ProviderSpecs.Runner.NUnitIntegration;

/// <summary>
/// Starts and ends the Reqnroll test run around every feature, then publishes the living documentation from the
/// run's message stream. In the global namespace on purpose: NUnit places the feature fixtures by their readable
/// names, not by a C# namespace, so only a global set-up fixture encloses them all.
/// </summary>
[SetUpFixture]
public sealed class SpecificationRun : ReqnrollTestRun
{
    /// <summary>The folder, under the reports folder, where a live run writes its reports.</summary>
    public const string LiveReportsFolder = "live";

    private static readonly string SuiteReports = SuiteLocation.For(typeof(SpecificationRun).Assembly).ReportsDirectory;

    // Before anything reads the reports folder: a live run writes into reports/live, so the latest simulated run's reports
    // stay beside it and the living doc shows both (an explicit SPECS_REPORTS_DIR still wins).
    static SpecificationRun()
    {
        if (TargetKinds.FromEnvironment() == TargetKind.Live && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(SuiteLocation.ReportsDirectoryVariable)))
            Environment.SetEnvironmentVariable(SuiteLocation.ReportsDirectoryVariable, Path.Combine(SuiteReports, LiveReportsFolder));
    }

    protected override Task OnTestRunEndedAsync(SuiteLocation location)
    {
        var repositoryRoot = Path.GetDirectoryName(location.FeaturesDirectory)!;
        // This run's results, and the latest run of the other target when its reports are there: simulated and live side by side.
        var otherRun = string.Equals(Path.GetFullPath(location.ReportsDirectory), Path.GetFullPath(SuiteReports), StringComparison.Ordinal)
            ? Path.Combine(SuiteReports, LiveReportsFolder, "specs.ndjson")
            : Path.Combine(SuiteReports, "specs.ndjson");
        var options = LivingDocOptions.ForRepository(repositoryRoot) with
        {
            OutputPath = Path.Combine(location.ReportsDirectory, "living-doc.html"),
            RunFiles = File.Exists(otherRun) ? [location.ReportsDirectory, otherRun] : [location.ReportsDirectory],
            BenchmarksDirectory = Path.Combine(location.ReportsDirectory, "benchmarks"),
            CatalogPath = Path.Combine(location.ReportsDirectory, "catalog.json"),
            FaultMatrixPath = Path.Combine(location.ReportsDirectory, "fault-matrix.json"),
            CatalogDriftPath = Path.Combine(location.ReportsDirectory, "catalog-drift.json"),
        };
        var result = LivingDocGenerator.Generate(options);
        TestContext.Progress.WriteLine(
            $"Living documentation: {result.OutputPath} ({result.FeatureCount} features, {result.ScenarioCount} scenarios, {result.Problems.Count} input(s) not included)");
        ScanOutputsForKeys(location.ReportsDirectory, Path.Combine(repositoryRoot, "fixtures"));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every key the run used is a canary: if one — or anything shaped like a real provider key — appears in the
    /// reports or the fixtures, the run fails, naming the file and line (the key itself masked).
    /// </summary>
    private static void ScanOutputsForKeys(params string[] paths)
    {
        var scanned = 0;
        var findings = new SecretScanner(RunKeys.All).ScanPaths(paths, _ => scanned++);
        TestContext.Progress.WriteLine($"Secret scan: {RunKeys.All.Count} run keys looked for in {scanned} output files, {findings.Count} found.");
        if (findings.Count > 0)
            throw new InvalidOperationException(
                "API keys leaked into the run's outputs:" + Environment.NewLine + string.Join(Environment.NewLine, findings.Select(f => "  " + f)));
    }
}
