using NUnit.Framework;
using Reqnroll.BoDi;
using Reqnroll.Infrastructure;
using Reqnroll.Tracing;

namespace ProviderSpecs.Runner.ReqnrollIntegration;

/// <summary>Sends step output (and the output helper's lines) to the NUnit test that is running.</summary>
public sealed class NUnitTraceListener(ITraceListenerQueue queue, IObjectContainer container) : AsyncTraceListener(queue, container)
{
    private readonly Lazy<IContextManager> _contextManager = new(container.Resolve<IContextManager>);

    public override void WriteTestOutput(string message)
    {
        TestContext.Out.WriteLine(message);
        // Outside a scenario there is no NUnit test to write to: keep it for the run's output too.
        if (_contextManager.Value.ScenarioContext is null) base.WriteTestOutput(message);
    }

    public override void WriteToolOutput(string message)
    {
        TestContext.Out.WriteLine("-> " + message);
        if (_contextManager.Value.ScenarioContext is null) base.WriteToolOutput(message);
    }
}
