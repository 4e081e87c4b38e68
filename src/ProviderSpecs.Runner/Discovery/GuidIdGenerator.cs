using Gherkin.CucumberMessages;

namespace ProviderSpecs.Runner.Discovery;

/// <summary>Globally unique ids: Gherkin's incrementing generator restarts per file, and the formatters need ids unique across the run.</summary>
internal sealed class GuidIdGenerator : IIdGenerator
{
    public string GetNewId() => Guid.NewGuid().ToString("N");
}
