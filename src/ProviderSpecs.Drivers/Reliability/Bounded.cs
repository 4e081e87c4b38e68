using Shouldly;

namespace ProviderSpecs.Drivers.Reliability;

/// <summary>
/// Nothing a reliability or integration scenario does may hang. Every call gets a cancellation token from an outer
/// safety timeout, set well beyond the layer's own timeouts: if the layer has not ended the call by itself when the
/// safety timeout fires, the step FAILS with a "hung" message instead of waiting for ever.
/// </summary>
public static class Bounded
{
    /// <summary>How long after the safety timeout a call that ignores cancellation is abandoned.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    public static async Task<T> RunAsync<T>(TimeSpan safety, string what, Func<CancellationToken, Task<T>> call)
    {
        using var safetyTimeout = new CancellationTokenSource(safety);
        var task = call(safetyTimeout.Token);
        var ended = await Task.WhenAny(task, Task.Delay(safety + Grace)).ConfigureAwait(false);
        if (ended != task)
        {
            _ = task.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted); // observed, never rethrown
            throw new ShouldAssertException(
                $"Hung: {what} had not ended {(safety + Grace).TotalSeconds:0.#} s after it started, and ignored the cancellation of the safety timeout.");
        }
        try
        {
            var value = await task.ConfigureAwait(false);
            if (safetyTimeout.IsCancellationRequested)
                throw new ShouldAssertException($"Hung: {what} was only ended by the suite's safety timeout of {safety.TotalSeconds:0.#} s; the provider layer's own timeouts should have ended it first.");
            return value;
        }
        catch (OperationCanceledException e) when (safetyTimeout.IsCancellationRequested)
        {
            throw new ShouldAssertException(
                $"Hung: {what} was only ended by the suite's safety timeout of {safety.TotalSeconds:0.#} s; the provider layer's own timeouts should have ended it first.", e);
        }
    }
}
