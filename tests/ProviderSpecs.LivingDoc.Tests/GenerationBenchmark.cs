using System.Diagnostics;
using System.Text;

namespace ProviderSpecs.LivingDoc.Tests;

/// <summary>Prints generation time and size for 100 synthetic features; a benchmark, not a timed assertion.</summary>
public class GenerationBenchmark
{
    [Test, Explicit("benchmark: prints numbers")]
    public void Hundred_features()
    {
        var root = Samples.NewOutputFolder();
        var features = Path.Combine(root, "features");
        string[] areas = ["providers", "credentials", "catalog", "completions", "reliability", "integration", "performance"];
        for (var f = 0; f < 100; f++)
        {
            var text = new StringBuilder($"@groq @functional_validation\nFeature: Synthetic feature {f}\n  A **description** with a [link](https://example.org).\n\n  Background:\n    Given a simulated provider\n");
            for (var s = 0; s < 8; s++)
                text.Append($"\n  Scenario: Scenario {s} of feature {f}\n    Given a model \"m{s}\"\n    When I send a chat request\n    Then the answer has {s} tokens\n      | key | value |\n      | a   | {s}   |\n");
            text.Append("\n  Scenario Outline: Outline\n    When I ask <n>\n\n    Examples:\n      | n |\n      | 1 |\n      | 2 |\n      | 3 |\n");
            var folder = Path.Combine(features, areas[f % areas.Length]);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"feature{f:000}.feature"), text.ToString());
        }
        var options = new LivingDocOptions { FeaturesDirectory = features, OutputPath = Path.Combine(root, "doc.html") };
        LivingDocGenerator.Generate(options); // warm-up: JIT and embedded resources
        var watch = Stopwatch.StartNew();
        var result = LivingDocGenerator.Generate(options);
        watch.Stop();
        result.FeatureCount.ShouldBe(100);
        TestContext.Out.WriteLine($"100 features, {result.ScenarioCount} scenarios: {watch.ElapsedMilliseconds} ms, {result.OutputBytes / 1024.0:0} KiB");
    }

    [Test, Explicit("benchmark: prints numbers for this repository's own document")]
    public void This_suite()
    {
        var root = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Specs.sln"))) root = root.Parent;
        if (root is null) Assert.Ignore("not inside the repository");
        var options = LivingDocOptions.ForRepository(root.FullName) with { OutputPath = Path.Combine(Samples.NewOutputFolder(), "living-doc.html") };
        LivingDocGenerator.Generate(options); // warm-up
        var watch = Stopwatch.StartNew();
        var result = LivingDocGenerator.Generate(options);
        watch.Stop();
        result.ExitCode.ShouldBe(0);
        TestContext.Out.WriteLine($"this suite: {result.FeatureCount} features, {result.ScenarioCount} scenarios, {result.RunCount} run(s), {result.Problems.Count} problem(s): {watch.ElapsedMilliseconds} ms, {result.OutputBytes / 1024.0:0} KiB ({result.OutputBytes} bytes)");
    }
}
