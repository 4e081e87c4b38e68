using NUnit.Framework;
using ProviderSpecs.Runner.Discovery;
using ProviderSpecs.Runner.NUnitIntegration;
using ProviderSpecs.Runner.ReqnrollIntegration;
using Reqnroll.Plugins;

[assembly: RuntimePlugin(typeof(NUnitRuntimePlugin))]
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: SkipScenarioOn(typeof(ProviderSpecs.Runner.SampleSuite.Steps.SampleConditionNotMetException))]

[SetUpFixture]
public sealed class SampleRun : ReqnrollTestRun;

namespace ProviderSpecs.Runner.SampleSuite
{
    [FeatureFixtures]
    public sealed class SampleFeatures(FeatureSpec feature) : FeatureFixture(feature);
}
