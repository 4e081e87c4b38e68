using Io.Cucumber.Messages.Types;
using ProviderSpecs.Runner.Discovery;
using Reqnroll.Formatters.RuntimeSupport;

namespace ProviderSpecs.Runner.ReqnrollIntegration;

/// <summary>
/// The Cucumber messages of one feature, built at discovery time. Reqnroll's code-behind generator embeds these;
/// without them the html and message formatters skip the feature.
/// </summary>
internal sealed class InMemoryFeatureMessages(FeatureSpec feature) : IFeatureLevelCucumberMessages
{
    public bool HasMessages => Source is not null && GherkinDocument is not null;
    public GherkinDocument GherkinDocument => feature.Document!;
    public IEnumerable<Pickle> Pickles => feature.Pickles;
    public Source Source => feature.Source!;
}
