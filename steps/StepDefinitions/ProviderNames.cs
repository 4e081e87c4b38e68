using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Registry;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

/// <summary>Lets steps name a provider the way a reader does: "Groq", "Together AI" (written {provider} in a step).</summary>
[Binding]
public sealed class ProviderNames(SpecTarget target)
{
    [StepArgumentTransformation(@"(Groq|Together AI)")]
    public ProviderDefinition ToProvider(string name) => target.ResolveProvider(name);
}
