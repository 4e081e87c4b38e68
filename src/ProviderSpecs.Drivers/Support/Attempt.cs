using ProviderSpecs.Providers.Errors;
using Shouldly;

namespace ProviderSpecs.Drivers.Support;

/// <summary>
/// The outcome of something a scenario tried: a value, or the failure it met, captured instead of thrown so a
/// later step can say which error key it expected. Everything it shows goes through the transcript.
/// </summary>
public interface IAttempt
{
    bool Succeeded { get; }
    string? ErrorKey { get; }
    Exception? Error { get; }
    ProviderException ShouldFailWith(string expectedKey);
}

public sealed class Attempt<T> : IAttempt
{
    private Attempt(T? value, Exception? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }
    public Exception? Error { get; }
    public bool Succeeded => Error is null;

    /// <summary>The stable error key: a provider-layer key, or "unexpected" for anything the layer did not classify.</summary>
    public string? ErrorKey => Error switch
    {
        null => null,
        ProviderException provider => provider.ErrorKey,
        _ => "unexpected",
    };

    public static async Task<Attempt<T>> RunAsync(Func<Task<T>> action, ScenarioTranscript transcript)
    {
        try
        {
            var value = await action();
            transcript.Record(value);
            return transcript.Remember(new Attempt<T>(value, null));
        }
        catch (Exception e) when (e is not ShouldAssertException)
        {
            transcript.Record(e);
            // A request the live budget refused was never sent: the scenario is skipped, not failed with an error key.
            if (ScenarioCannotRunException.From(e) is { } skip) throw skip;
            return transcript.Remember(new Attempt<T>(default, e));
        }
    }

    public static Attempt<T> Run(Func<T> action, ScenarioTranscript transcript) =>
        RunAsync(() => Task.FromResult(action()), transcript).GetAwaiter().GetResult();

    public T ShouldSucceed() =>
        Succeeded ? Value! : throw new ShouldAssertException($"Expected success, but the attempt failed with '{ErrorKey}': {Error!.Message}", Error);

    public ProviderException ShouldFailWith(string expectedKey)
    {
        if (Succeeded)
            throw new ShouldAssertException($"Expected the attempt to fail with '{expectedKey}', but it succeeded: {Value}");
        if (ErrorKey != expectedKey)
            throw new ShouldAssertException($"Expected the attempt to fail with '{expectedKey}', but it failed with '{ErrorKey}': {Error!.Message}", Error);
        return (ProviderException)Error!;
    }
}
