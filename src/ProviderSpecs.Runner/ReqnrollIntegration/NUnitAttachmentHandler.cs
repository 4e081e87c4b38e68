using NUnit.Framework;
using Reqnroll.Infrastructure;
using Reqnroll.Tracing;

namespace ProviderSpecs.Runner.ReqnrollIntegration;

/// <summary>Attaches files added through <c>IReqnrollOutputHelper.AddAttachment</c> to the NUnit test result.</summary>
public sealed class NUnitAttachmentHandler(ITraceListener traceListener) : ReqnrollAttachmentHandler(traceListener)
{
    public override void AddAttachment(string filePath)
    {
        try
        {
            TestContext.AddTestAttachment(filePath);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidOperationException)
        {
            base.AddAttachment(filePath);
        }
    }
}
