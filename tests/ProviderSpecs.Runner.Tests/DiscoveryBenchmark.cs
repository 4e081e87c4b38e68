using System.Diagnostics;
using ProviderSpecs.Runner.Discovery;

namespace ProviderSpecs.Runner.Tests;

/// <summary>
/// Prints discovery and parsing time for 10 and 100 generated features (each with a background, a rule, an
/// outline of 4 rows, a table and a doc string). A benchmark, not a test: run it by name with
/// <c>dotnet test tests/ProviderSpecs.Runner.Tests --filter "FullyQualifiedName~DiscoveryBenchmark"</c>.
/// </summary>
[TestFixture, Explicit("benchmark: prints numbers, run it by name"), Category("benchmark")]
public sealed class DiscoveryBenchmark
{
    [TestCase(10)]
    [TestCase(100)]
    public void Discovery_and_parsing_time(int featureCount)
    {
        var folder = Directory.CreateTempSubdirectory("discovery-bench-").FullName;
        for (var i = 0; i < featureCount; i++)
        {
            var area = Path.Combine(folder, $"area{i % 7}");
            Directory.CreateDirectory(area);
            File.WriteAllText(Path.Combine(area, $"feature{i}.feature"), GeneratedFeature(i));
        }

        FeatureSuite.LoadUncached(folder); // JIT and file-system warm-up
        const int runs = 10;
        var timings = new List<double>();
        var pickles = 0;
        for (var run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            var features = FeatureSuite.LoadUncached(folder);
            timings.Add(watch.Elapsed.TotalMilliseconds);
            pickles = features.Sum(f => f.Scenarios.Count);
        }
        timings.Sort();
        TestContext.Out.WriteLine($"{featureCount} features, {pickles} pickles: median {timings[runs / 2]:F1} ms, min {timings[0]:F1} ms, max {timings[^1]:F1} ms");
        pickles.ShouldBe(featureCount * 7);
    }

    private static string GeneratedFeature(int i) => $$""""
        @generated @area{{i % 7}}
        Feature: Generated feature {{i}}
          A description with a | table | and [a link](other.feature).

          Background:
            Given a provider "groq"

          Rule: Rule {{i}}
            Scenario: plain scenario {{i}}
              When the client asks for a completion
                | model | max tokens |
                | small | 16         |
              Then the answer is
                """
                some text
                """

            Scenario Outline: outline {{i}}
              When the client asks <provider> for <tokens> tokens
              Then the finish reason is <reason>

              Examples:
                | provider | tokens | reason |
                | groq     | 1      | stop   |
                | groq     | 2      | length |
                | together | 3      | stop   |
                | together | 4      | length |

          Scenario: last {{i}}
            Then nothing
          Scenario: really last {{i}}
            Then nothing
        """";
}
