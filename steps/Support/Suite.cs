using NUnit.Framework;
using ProviderSpecs.Runner.Discovery;
using ProviderSpecs.Runner.NUnitIntegration;
using ProviderSpecs.Runner.ReqnrollIntegration;
using Reqnroll.Plugins;

[assembly: RuntimePlugin(typeof(NUnitRuntimePlugin))]
// Features run in parallel with each other; the scenarios of one feature run in order.
[assembly: Parallelizable(ParallelScope.Fixtures)]
// Conditions outside the providers under test skip a scenario with their reason: a spent live budget, limits too low.
[assembly: SkipScenarioOn(typeof(ProviderSpecs.Drivers.Support.ScenarioCannotRunException))]
[assembly: SkipScenarioOn(typeof(ProviderSpecs.Providers.Budget.LiveBudgetExceededException))]

namespace ProviderSpecs.Steps.Support;

/// <summary>One NUnit fixture per .feature file under features/.</summary>
[FeatureFixtures]
public sealed class Features(FeatureSpec feature) : FeatureFixture(feature);


