using System.Collections.Concurrent;
using System.Diagnostics;

namespace ProviderSpecs.Drivers.Reliability;

/// <summary>One chat request as the client put it on the wire: when it left and when its answer was fully read (or failed).</summary>
public sealed record WireRequest(int Ordinal, string Path, TimeSpan Started, TimeSpan? Finished);

/// <summary>
/// A client-side <see cref="DelegatingHandler"/> that sees every request the provider layer sends: when each chat request
/// left, when its response body was read to the end (or abandoned), and how many were in flight at the busiest moment.
/// It measures on the client, so it works against the simulators and the live APIs alike.
/// </summary>
public sealed class WireRecorder : DelegatingHandler
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<int, WireRequest> _requests = new();
    private int _ordinal;
    private int _inFlight;
    private int _maxInFlight;

    /// <param name="target">The target's shared handler chain (live budget, pacing, pooled connections); it is not disposed with the recorder.</param>
    public WireRecorder(HttpMessageHandler target) : base(target)
    {
    }

    // The inner handler is the run's shared chain: other scenarios keep using it.
    protected override void Dispose(bool disposing)
    {
    }

    /// <summary>The chat requests sent so far, in the order they left.</summary>
    public IReadOnlyList<WireRequest> ChatRequests => _requests.Values.OrderBy(r => r.Ordinal).ToList();

    /// <summary>The most chat requests that were in flight at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>A client with this recorder as its handler; the provider layer's own timeouts govern.</summary>
    public HttpClient CreateClient() => new(this, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (!path.EndsWith("/chat/completions", StringComparison.Ordinal))
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

        var ordinal = Interlocked.Increment(ref _ordinal);
        _requests[ordinal] = new WireRequest(ordinal, path, _clock.Elapsed, null);
        var current = Interlocked.Increment(ref _inFlight);
        UpdateMax(current);
        var finished = 0;
        void Finish()
        {
            if (Interlocked.Exchange(ref finished, 1) == 1) return;
            Interlocked.Decrement(ref _inFlight);
            _requests.AddOrUpdate(ordinal, _ => new WireRequest(ordinal, path, TimeSpan.Zero, _clock.Elapsed), (_, r) => r with { Finished = _clock.Elapsed });
        }

        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var original = response.Content;
            var body = await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var wrapped = new StreamContent(new EndNotifyingStream(body, Finish));
            foreach (var header in original.Headers) wrapped.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content = wrapped;
            return response;
        }
        catch
        {
            Finish();
            throw;
        }
    }

    private void UpdateMax(int current)
    {
        while (true)
        {
            var max = Volatile.Read(ref _maxInFlight);
            if (current <= max || Interlocked.CompareExchange(ref _maxInFlight, current, max) == max) return;
        }
    }

    /// <summary>Calls <c>onEnd</c> once: when the body is read to its end, fails, or is disposed.</summary>
    private sealed class EndNotifyingStream(Stream inner, Action onEnd) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0 && buffer.Length > 0) onEnd();
                return read;
            }
            catch
            {
                onEnd();
                throw;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                var read = inner.Read(buffer, offset, count);
                if (read == 0 && count > 0) onEnd();
                return read;
            }
            catch
            {
                onEnd();
                throw;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                onEnd();
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            onEnd();
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
