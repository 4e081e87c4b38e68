using Reqnroll.Infrastructure;
using Reqnroll.Plugins;
using Reqnroll.Tracing;
using Reqnroll.UnitTestProvider;

namespace ProviderSpecs.Runner.ReqnrollIntegration;

/// <summary>
/// Tells the Reqnroll runtime how to talk to NUnit. Reqnroll.NUnit normally does this; it is not available here,
/// so a test assembly declares <c>[assembly: RuntimePlugin(typeof(NUnitRuntimePlugin))]</c>.
/// </summary>
public sealed class NUnitRuntimePlugin : IRuntimePlugin
{
    public const string ProviderName = "nunit";

    public void Initialize(RuntimePluginEvents runtimePluginEvents, RuntimePluginParameters runtimePluginParameters,
        UnitTestProviderConfiguration unitTestProviderConfiguration)
    {
        runtimePluginEvents.RegisterGlobalDependencies += (_, e) =>
            e.ObjectContainer.RegisterTypeAs<NUnitRuntimeProvider, IUnitTestRuntimeProvider>(ProviderName);
        runtimePluginEvents.CustomizeTestThreadDependencies += (_, e) =>
        {
            e.ObjectContainer.RegisterTypeAs<NUnitTraceListener, ITraceListener>();
            e.ObjectContainer.RegisterTypeAs<NUnitAttachmentHandler, IReqnrollAttachmentHandler>();
        };
        unitTestProviderConfiguration.UseUnitTestProvider(ProviderName);
    }
}
