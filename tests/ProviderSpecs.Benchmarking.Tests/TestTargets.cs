using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Tests;

/// <summary>In-process targets for runner tests: no network, behaviour chosen per test.</summary>
internal static class TestTargets
{
    /// <summary>Streams <paramref name="chunks"/> content chunks, yielding between them so requests interleave.</summary>
    public static DelegateTarget Streaming(int chunks = 4, Action? onSend = null) => new("test", "synthetic", async (ctx, ct) =>
    {
        onSend?.Invoke();
        for (var i = 0; i < chunks; i++)
        {
            await Task.Yield();
            ctx.MarkChunk();
        }
        return RequestOutcome.Success();
    });

    /// <summary>Counts requests in flight and records the highest count seen.</summary>
    public sealed class ConcurrencyProbe
    {
        private int _inFlight;
        private int _peak;
        private int _sent;
        public int Peak => Volatile.Read(ref _peak);
        public int Sent => Volatile.Read(ref _sent);

        public DelegateTarget Target(TimeSpan hold) => new("test", "probe", async (_, ct) =>
        {
            Interlocked.Increment(ref _sent);
            var now = Interlocked.Increment(ref _inFlight);
            int peak;
            while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak) { }
            try
            {
                await Task.Delay(hold, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
            return RequestOutcome.Success(outputTokens: 1);
        });
    }
}
