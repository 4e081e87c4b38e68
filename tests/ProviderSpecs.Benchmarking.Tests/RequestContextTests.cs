using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Tests;

public class RequestContextTests
{
    [Test]
    public void Served_timing_with_one_gap_for_the_stream_is_the_same_as_every_gap_listed()
    {
        var listed = new RequestContext();
        listed.SetServedTiming(TimeSpan.FromMilliseconds(170), [TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(2)]);
        var even = new RequestContext();
        even.SetServedTiming(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(9), 7); // a longer stream first: the buffer is reused
        even.SetServedTiming(TimeSpan.FromMilliseconds(170), TimeSpan.FromMilliseconds(2), 3);

        even.ServedFirstChunkDelay.ShouldBe(listed.ServedFirstChunkDelay);
        even.ServedGapTicks.ToArray().ShouldBe(listed.ServedGapTicks.ToArray());
        Should.Throw<ArgumentOutOfRangeException>(() => even.SetServedTiming(TimeSpan.Zero, TimeSpan.Zero, -1));
    }
}
