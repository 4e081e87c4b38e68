using System.Diagnostics;

namespace ProviderSpecs.Pacing;

/// <summary>
/// Waits that end at their due time, never before it and at most about a millisecond after it.
/// <para>
/// Paced servers (the simulated providers, the benchmark self-test's target) need this: .NET's timer queue
/// (Task.Delay, Timer) runs on a coarse clock — 1–4 ms steps on Linux — so it ends every wait due within one step
/// together, up to 4 ms late, and can end one early. A server pacing 64 streams with it writes their chunks in
/// bursts, and the client reading them queues behind each burst. Here one dedicated thread sleeps on the precise
/// monotonic clock (<see cref="Monitor.Wait(object, int)"/>) until the earliest due time and releases each wait as it
/// falls due; continuations run on the thread pool, never on the pacer thread.
/// </para>
/// </summary>
public sealed class PrecisePacer : IDisposable
{
    /// <summary>The process-wide pacer; its background thread starts with the first use.</summary>
    public static PrecisePacer Shared => SharedInstance.Value;

    private static readonly Lazy<PrecisePacer> SharedInstance = new(() => new PrecisePacer("precise pacer"));

    private readonly PriorityQueue<Waiter, long> _due = new();
    private readonly object _gate = new(); // Monitor.Wait/Pulse need a monitor lock (not System.Threading.Lock)
    private long _wakeAt = long.MaxValue;
    private bool _disposed;

    public PrecisePacer(string threadName = "precise pacer")
    {
        new Thread(Run) { IsBackground = true, Name = threadName }.Start();
    }

    /// <summary>Completes at <paramref name="dueTimestamp"/>, a <see cref="Stopwatch.GetTimestamp"/> value — never before it.</summary>
    public Task WaitUntilAsync(long dueTimestamp, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        if (Stopwatch.GetTimestamp() >= dueTimestamp) return Task.CompletedTask;
        var waiter = new Waiter(cancellationToken);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _due.Enqueue(waiter, dueTimestamp);
            if (dueTimestamp < _wakeAt) Monitor.Pulse(_gate); // sooner than the pacer's current sleep: wake it to re-plan
        }
        return waiter.Task;
    }

    /// <summary>Completes once <paramref name="delay"/> has passed since <paramref name="since"/> (a <see cref="Stopwatch.GetTimestamp"/> value).</summary>
    public Task WaitAsync(long since, TimeSpan delay, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(since + (long)(delay.TotalSeconds * Stopwatch.Frequency), cancellationToken);

    private void Run()
    {
        var ready = new List<Waiter>();
        while (true)
        {
            lock (_gate)
            {
                while (ready.Count == 0)
                {
                    if (_disposed)
                    {
                        while (_due.TryDequeue(out var abandoned, out _)) abandoned.Abandon();
                        return;
                    }
                    var now = Stopwatch.GetTimestamp();
                    while (_due.TryPeek(out _, out var due) && due <= now) ready.Add(_due.Dequeue());
                    if (ready.Count > 0) break;
                    if (_due.TryPeek(out _, out var next))
                    {
                        _wakeAt = next;
                        // Whole milliseconds rounded up: the wait never ends early, and ends at most ~1 ms late.
                        var milliseconds = Math.Ceiling(Stopwatch.GetElapsedTime(now, next).TotalMilliseconds);
                        Monitor.Wait(_gate, (int)Math.Min(milliseconds, int.MaxValue));
                    }
                    else
                    {
                        _wakeAt = long.MaxValue;
                        Monitor.Wait(_gate);
                    }
                }
                _wakeAt = long.MaxValue;
            }
            foreach (var waiter in ready) waiter.Release();
            ready.Clear();
        }
    }

    /// <summary>Stops the pacer thread; waits still pending fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.Pulse(_gate);
        }
    }

    private sealed class Waiter : TaskCompletionSource
    {
        private readonly CancellationTokenRegistration _registration;

        public Waiter(CancellationToken cancellationToken) : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            if (cancellationToken.CanBeCanceled)
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).TrySetCanceled(token), this);
        }

        public void Release()
        {
            _registration.Dispose();
            TrySetResult();
        }

        public void Abandon()
        {
            _registration.Dispose();
            TrySetException(new ObjectDisposedException(nameof(PrecisePacer), "The pacer was disposed while this wait was pending."));
        }
    }
}
