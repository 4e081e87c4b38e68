using System.Diagnostics;
using System.Net.NetworkInformation;
using ProviderSpecs.Benchmarking.Results;

namespace ProviderSpecs.Benchmarking.Metrics;

/// <summary>
/// Samples process resource use while a run measures: allocations, GC counts and GC pause time as deltas, working set and
/// established TCP connections to a port as sampled peaks.
/// </summary>
public sealed class ResourceMonitor : IDisposable
{
    private readonly int? _connectionPort;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: false);
    private readonly int _gen0 = GC.CollectionCount(0);
    private readonly int _gen1 = GC.CollectionCount(1);
    private readonly int _gen2 = GC.CollectionCount(2);
    private readonly long _workingSetStart = Environment.WorkingSet;
    private readonly TimeSpan _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly TimeSpan _gcPauseAtStart = GC.GetTotalPauseDuration();
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private long _workingSetPeak;
    private int? _peakConnections;

    private ResourceMonitor(int? connectionPort, TimeSpan sampleInterval)
    {
        _connectionPort = connectionPort;
        _workingSetPeak = _workingSetStart;
        _timer = new Timer(_ => Sample(), null, sampleInterval, sampleInterval);
    }

    /// <summary>Starts sampling; pass the target's TCP port to count open connections to it.</summary>
    public static ResourceMonitor Start(int? connectionPort = null, TimeSpan? sampleInterval = null) =>
        new(connectionPort, sampleInterval ?? TimeSpan.FromMilliseconds(200));

    /// <summary>Established TCP connections whose remote end is <paramref name="port"/> on this machine.</summary>
    public static int CountEstablishedConnections(int port) =>
        IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections()
            .Count(c => c.State == TcpState.Established && c.RemoteEndPoint.Port == port);

    private void Sample()
    {
        var workingSet = Environment.WorkingSet;
        int? connections = null;
        try
        {
            if (_connectionPort is { } port) connections = CountEstablishedConnections(port);
        }
        catch (NetworkInformationException)
        {
            // Connection counts are best effort (not every platform exposes them); the run goes on without them.
        }
        lock (_gate)
        {
            _workingSetPeak = Math.Max(_workingSetPeak, workingSet);
            if (connections is { } c) _peakConnections = Math.Max(_peakConnections ?? 0, c);
        }
    }

    /// <summary>Stops sampling and returns the usage since <see cref="Start"/>.</summary>
    public ResourceUsage Stop(int requests)
    {
        _timer.Dispose();
        Sample();
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - _allocatedAtStart;
        lock (_gate)
        {
            return new ResourceUsage
            {
                DurationSeconds = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds,
                AllocatedBytes = allocated,
                AllocatedBytesPerRequest = requests == 0 ? 0 : (double)allocated / requests,
                Gen0Collections = GC.CollectionCount(0) - _gen0,
                Gen1Collections = GC.CollectionCount(1) - _gen1,
                Gen2Collections = GC.CollectionCount(2) - _gen2,
                WorkingSetStartBytes = _workingSetStart,
                WorkingSetPeakBytes = _workingSetPeak,
                PeakOpenConnections = _peakConnections,
                CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart).TotalSeconds,
                GcPauseSeconds = (GC.GetTotalPauseDuration() - _gcPauseAtStart).TotalSeconds,
                InlineSocketCompletions = Load.InlineSocketCompletions.Active,
                ProcessorCount = Environment.ProcessorCount,
            };
        }
    }

    public void Dispose() => _timer.Dispose();
}
