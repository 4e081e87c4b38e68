namespace ProviderSpecs.Simulators;

/// <summary>
/// The simulators' clock for rate-limit windows and request-log times: a <see cref="TimeProvider"/>'s monotonic
/// timestamps, with wall-clock times derived from them (start time + elapsed), so two logged times differ by exactly the
/// monotonic time between them even if the system clock is adjusted. Tests pass a fake provider to move time by hand.
/// Latency pacing does not use it: it runs on the precise pacer's own clock.
/// </summary>
internal sealed class SimulatorClock(TimeProvider provider)
{
    private readonly long _originTimestamp = provider.GetTimestamp();
    private readonly DateTimeOffset _originUtc = provider.GetUtcNow();

    public TimeProvider Provider { get; } = provider;

    public long Timestamp() => Provider.GetTimestamp();

    public long TicksPer(TimeSpan period) => (long)(period.TotalSeconds * Provider.TimestampFrequency);

    public TimeSpan Span(long ticks) => Provider.GetElapsedTime(0, ticks);

    public DateTimeOffset UtcAt(long timestamp) => _originUtc + Provider.GetElapsedTime(_originTimestamp, timestamp);

    public DateTimeOffset UtcNow() => UtcAt(Timestamp());
}
