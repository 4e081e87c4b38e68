using NUnit.Framework;
using ProviderSpecs.Runner.NUnitIntegration;
using Reqnroll;
using Reqnroll.UnitTestProvider;

namespace ProviderSpecs.Runner.ReqnrollIntegration;

/// <summary>Maps Reqnroll's pending, inconclusive and ignored outcomes onto NUnit's; exceptions the test assembly names with
/// <see cref="SkipScenarioOnAttribute"/> skip the scenario too.</summary>
public sealed class NUnitRuntimeProvider : IUnitTestRuntimeProvider
{
    public void TestPending(string message) => Assert.Inconclusive(message);
    public void TestInconclusive(string message) => Assert.Inconclusive(message);
    public void TestIgnore(string message) => Assert.Ignore(message);

    public ScenarioExecutionStatus? DetectExecutionStatus(Exception exception) => exception switch
    {
        InconclusiveException or IgnoreException => ScenarioExecutionStatus.Skipped,
        _ when ScenarioSkips.IsSkip(exception) => ScenarioExecutionStatus.Skipped,
        _ => null,
    };
}
