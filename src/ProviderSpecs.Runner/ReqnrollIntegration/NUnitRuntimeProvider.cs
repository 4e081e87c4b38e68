using NUnit.Framework;
using Reqnroll;
using Reqnroll.UnitTestProvider;

namespace ProviderSpecs.Runner.ReqnrollIntegration;

/// <summary>Maps Reqnroll's pending, inconclusive and ignored outcomes onto NUnit's.</summary>
public sealed class NUnitRuntimeProvider : IUnitTestRuntimeProvider
{
    public void TestPending(string message) => Assert.Inconclusive(message);
    public void TestInconclusive(string message) => Assert.Inconclusive(message);
    public void TestIgnore(string message) => Assert.Ignore(message);

    public ScenarioExecutionStatus? DetectExecutionStatus(Exception exception) => exception switch
    {
        InconclusiveException or IgnoreException => ScenarioExecutionStatus.Skipped,
        _ => null,
    };
}
