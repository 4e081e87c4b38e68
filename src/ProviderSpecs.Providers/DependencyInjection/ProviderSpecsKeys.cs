namespace ProviderSpecs.Providers.DependencyInjection;

/// <summary>The keys of the keyed services <c>AddProviderSpecs</c> registers.</summary>
public static class ProviderSpecsKeys
{
    /// <summary>
    /// The key of a provider's <c>IChatClient</c> for one model: <c>"&lt;name&gt;/&lt;model&gt;"</c>, e.g.
    /// <c>groq/llama-3.1-8b-instant</c> or <c>together/meta-llama/Llama-3.3-70B-Instruct-Turbo</c>. The provider's
    /// <see cref="ProviderSession"/> (and its <see cref="Budget.LiveBudget"/>, when one is configured) is keyed by the name alone.
    /// </summary>
    public static string ChatClient(string name, string model) => $"{name}/{model}";
}
