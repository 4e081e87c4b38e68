using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Builders;
using ProviderSpecs.Runner.Discovery;

namespace ProviderSpecs.Runner.NUnitIntegration;

/// <summary>
/// Put on the scenario method of <see cref="FeatureFixture"/>: one NUnit test per pickle (a scenario or one
/// Examples row) of the fixture's feature, named "scenario › column: value". Every tag the scenario carries —
/// its own, its Examples', its Rule's and its Feature's — becomes an NUnit category, so
/// <c>dotnet test --filter "TestCategory=groq"</c> selects exactly the @groq scenarios.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class ScenariosAttribute : NUnitAttribute, ITestBuilder, IImplyFixture
{
    public const string ParseErrorTestName = "the feature file parses";

    public IEnumerable<TestMethod> BuildFrom(IMethodInfo method, Test? suite)
    {
        if (suite?.Arguments is not [FeatureSpec feature, ..])
            yield break;

        var builder = new NUnitTestCaseBuilder();
        if (feature.ParseError is not null)
        {
            // A broken file becomes one failing test that names the file and line, not a missing feature.
            yield return builder.BuildTestMethod(method, suite, new TestCaseParameters([null]) { TestName = ParseErrorTestName });
            yield break;
        }

        foreach (var scenario in feature.Scenarios)
        {
            var parameters = new TestCaseParameters([scenario]) { TestName = scenario.TestName };
            foreach (var tag in scenario.AllTags)
                parameters.Properties.Add(PropertyNames.Category, tag);
            if (scenario.Description.Length > 0)
                parameters.Properties.Set(PropertyNames.Description, scenario.Description);
            yield return builder.BuildTestMethod(method, suite, parameters);
        }
    }
}
