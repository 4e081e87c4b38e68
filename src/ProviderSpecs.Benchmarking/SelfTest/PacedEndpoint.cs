using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ProviderSpecs.Benchmarking.SelfTest;

/// <summary>
/// In-process Kestrel endpoint on 127.0.0.1 (ephemeral port) for the harness self-test:
/// <c>GET /zero</c> answers a tiny 200 at minimal cost; <c>GET /stream?first=ms&amp;gap=ms&amp;chunks=n</c> answers an
/// SSE stream paced by timers and ends with an event reporting the first-chunk delay and gaps it actually served
/// (timers are not exact), so measured minus served can be computed per request.
/// </summary>
public sealed class PacedEndpoint : IAsyncDisposable
{
    public const string ZeroPath = "/zero";
    public const string StreamPath = "/stream";

    private static readonly byte[] ZeroBody = "ok"u8.ToArray();
    private static readonly byte[] ContentChunk = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok\"}}]}\n\n"u8.ToArray();
    private static readonly byte[] DoneEvent = "data: [DONE]\n\n"u8.ToArray();
    private static readonly double MicrosecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly WebApplication _app;

    private PacedEndpoint(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>e.g. http://127.0.0.1:41234/</summary>
    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    /// <summary>Address of a stream with the given pacing.</summary>
    public Uri StreamUri(TimeSpan firstChunkDelay, TimeSpan chunkGap, int chunks)
    {
        if (chunks < 1) throw new ArgumentException($"chunks must be at least 1 (got {chunks}): give the number of content chunks per stream.", nameof(chunks));
        if (firstChunkDelay < TimeSpan.Zero || chunkGap < TimeSpan.Zero)
            throw new ArgumentException("firstChunkDelay and chunkGap must not be negative: give 0 for no pacing.", nameof(firstChunkDelay));
        return new Uri(BaseAddress, string.Create(CultureInfo.InvariantCulture,
            $"{StreamPath}?first={firstChunkDelay.TotalMilliseconds}&gap={chunkGap.TotalMilliseconds}&chunks={chunks}"));
    }

    public Uri ZeroUri => new(BaseAddress, ZeroPath);

    public static async Task<PacedEndpoint> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0);
            options.Limits.MaxConcurrentConnections = null;
            options.AddServerHeader = false;
        });
        var app = builder.Build();
        app.MapGet(ZeroPath, ServeZeroAsync);
        app.MapGet(StreamPath, ServeStreamAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
                        ?? throw new InvalidOperationException("Kestrel did not report the address it listens on.");
        var address = addresses.Addresses.First();
        return new PacedEndpoint(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    private static Task ServeZeroAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = ZeroBody.Length;
        return context.Response.Body.WriteAsync(ZeroBody, context.RequestAborted).AsTask();
    }

    private static async Task ServeStreamAsync(HttpContext context)
    {
        var arrived = Stopwatch.GetTimestamp();
        var query = context.Request.Query;
        var first = TimeSpan.FromMilliseconds(ReadNumber(query["first"], 0));
        var gap = TimeSpan.FromMilliseconds(ReadNumber(query["gap"], 0));
        var chunks = Math.Max(1, (int)ReadNumber(query["chunks"], 1));
        var aborted = context.RequestAborted;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";

        var served = new long[chunks];
        await DelayAtLeastAsync(arrived, first, aborted).ConfigureAwait(false);
        for (var i = 0; i < chunks; i++)
        {
            if (i > 0) await DelayAtLeastAsync(served[i - 1], gap, aborted).ConfigureAwait(false);
            served[i] = Stopwatch.GetTimestamp();
            await response.Body.WriteAsync(ContentChunk, aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(aborted).ConfigureAwait(false);
        }
        await response.Body.WriteAsync(ServedTimingEvent(arrived, served), aborted).ConfigureAwait(false);
        await response.Body.WriteAsync(DoneEvent, aborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until <paramref name="delay"/> has passed since <paramref name="since"/>. Task.Delay alone can wake a
    /// millisecond early on Linux (a coarse timer clock), and a paced target must never serve sooner than asked.
    /// </summary>
    private static async Task DelayAtLeastAsync(long since, TimeSpan delay, CancellationToken cancellationToken)
    {
        while (true)
        {
            var remaining = delay - Stopwatch.GetElapsedTime(since);
            if (remaining <= TimeSpan.Zero) return;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>data: {"served":{"firstChunkUs":…,"gapsUs":[…]}}</c> — what this endpoint actually did.</summary>
    private static byte[] ServedTimingEvent(long arrived, long[] served)
    {
        var text = new StringBuilder(64 + served.Length * 8);
        text.Append(CultureInfo.InvariantCulture, $"data: {{\"served\":{{\"firstChunkUs\":{Micros(served[0] - arrived)},\"gapsUs\":[");
        for (var i = 1; i < served.Length; i++)
        {
            if (i > 1) text.Append(',');
            text.Append(CultureInfo.InvariantCulture, $"{Micros(served[i] - served[i - 1])}");
        }
        text.Append("]}}\n\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static long Micros(long ticks) => (long)Math.Round(ticks * MicrosecondsPerTick);

    private static double ReadNumber(string? text, double fallback) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : fallback;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
