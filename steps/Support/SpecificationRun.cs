using NUnit.Framework;
using ProviderSpecs.LivingDoc;
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
    protected override Task OnTestRunEndedAsync(SuiteLocation location)
    {
        var repositoryRoot = Path.GetDirectoryName(location.FeaturesDirectory)!;
        var options = LivingDocOptions.ForRepository(repositoryRoot) with
        {
            OutputPath = Path.Combine(location.ReportsDirectory, "living-doc.html"),
            RunFiles = [location.ReportsDirectory],
            BenchmarksDirectory = Path.Combine(location.ReportsDirectory, "benchmarks"),
            CatalogPath = Path.Combine(location.ReportsDirectory, "catalog.json"),
            FaultMatrixPath = Path.Combine(location.ReportsDirectory, "fault-matrix.json"),
        };
        var result = LivingDocGenerator.Generate(options);
        TestContext.Progress.WriteLine(
            $"Living documentation: {result.OutputPath} ({result.FeatureCount} features, {result.ScenarioCount} scenarios, {result.Problems.Count} input(s) not included)");
        return Task.CompletedTask;
    }
}
