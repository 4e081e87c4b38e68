using NUnit.Framework;
using ProviderSpecs.Runner.Discovery;
using ProviderSpecs.Runner.NUnitIntegration;
using ProviderSpecs.Runner.ReqnrollIntegration;
using Reqnroll.Plugins;

[assembly: RuntimePlugin(typeof(NUnitRuntimePlugin))]
// Features run in parallel with each other; the scenarios of one feature run in order.
[assembly: Parallelizable(ParallelScope.Fixtures)]

namespace ProviderSpecs.Steps.Support;

/// <summary>One NUnit fixture per .feature file under features/.</summary>
[FeatureFixtures]
public sealed class Features(FeatureSpec feature) : FeatureFixture(feature);


