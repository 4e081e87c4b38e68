namespace ProviderSpecs.Benchmarking.Targets;

/// <summary>A target whose request is a delegate: for in-process targets, adapters and tests.</summary>
public sealed class DelegateTarget(string provider, string model, Func<RequestContext, CancellationToken, ValueTask<RequestOutcome>> send) : IBenchmarkTarget
{
    public string Provider { get; } = !string.IsNullOrWhiteSpace(provider) ? provider
        : throw new ArgumentException("provider must not be empty: give the provider label used in results, e.g. \"groq\".", nameof(provider));

    public string Model { get; } = !string.IsNullOrWhiteSpace(model) ? model
        : throw new ArgumentException("model must not be empty: give the model label used in results.", nameof(model));

    public ValueTask<RequestOutcome> SendAsync(RequestContext context, CancellationToken cancellationToken) => send(context, cancellationToken);
}
