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
using ProviderSpecs.Pacing;

namespace ProviderSpecs.Benchmarking.SelfTest;

/// <summary>
/// Kestrel endpoint on 127.0.0.1 (ephemeral port) for the harness self-test:
/// <c>GET /zero</c> answers a tiny 200 at minimal cost; <c>GET /stream?first=ms&amp;gap=ms&amp;chunks=n</c> answers an
/// SSE stream paced by the <see cref="PrecisePacer"/> and ends with an event reporting the first-chunk delay and gaps
/// it actually served, so measured minus served can be computed per request.
/// <para>
/// It runs in this process (<see cref="StartAsync"/>) or in a child process of its own
/// (<see cref="StartInChildProcessAsync"/>, served there by <see cref="ServeUntilInputEndsAsync"/>). In a child it no
/// longer shares a thread pool and a garbage collector with the harness it measures — as wrk's target, or a real
/// provider, does not. Kestrel runs its socket continuations inline, so a chunk goes to the socket when the pacer
/// releases it, not after another hop through a busy thread pool.
/// </para>
/// </summary>
public sealed class PacedEndpoint : IAsyncDisposable
{
    /// <summary>The line a child-process endpoint prints first, followed by its base address.</summary>
    public const string ListeningPrefix = "paced endpoint listening on ";

    /// <summary>
    /// The child's gen-0 budget (128 MB): the target's collections pause its writes after the served time is stamped,
    /// so a target that rarely collects keeps its own pauses out of the harness's error figures.
    /// </summary>
    private const string ChildGen0Budget = "0x8000000";

    /// <summary>
    /// The child's thread-pool workers go to sleep at once when idle instead of spinning for more work (default 70 spins):
    /// on a 2-core machine a spinning target takes the processor from the client it stands in for a remote server to
    /// (measured: target CPU 34 → 25 µs a chunk, machine busy 66 → 58 % at c=64 through the provider layer).
    /// </summary>
    private const string ChildThreadPoolSpinLimit = "0";

    public const string ZeroPath = "/zero";
    public const string StreamPath = "/stream";

    /// <summary>An OpenAI-compatible base path in Groq's dialect: <c>/groq/{first ms}/{gap ms}/{chunks}/openai/v1</c>.</summary>
    public const string GroqPathPrefix = "/groq";

    private static readonly byte[] ZeroBody = "ok"u8.ToArray();
    private static readonly byte[] ContentChunk = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok\"}}]}\n\n"u8.ToArray();
    private static readonly byte[] DoneEvent = "data: [DONE]\n\n"u8.ToArray();
    private static readonly double MicrosecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly WebApplication? _app;
    private readonly Process? _child;

    private PacedEndpoint(WebApplication? app, Process? child, Uri baseAddress)
    {
        _app = app;
        _child = child;
        BaseAddress = baseAddress;
    }

    /// <summary>True when the endpoint runs in a child process, false when in this one.</summary>
    public bool InChildProcess => _child is not null;

    /// <summary>e.g. http://127.0.0.1:41234/</summary>
    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    /// <summary>CPU time the child process has used so far; null when the endpoint runs in this process (its CPU is the harness's).</summary>
    public TimeSpan? TargetProcessorTime
    {
        get
        {
            if (_child is null) return null;
            try
            {
                _child.Refresh();
                return _child.TotalProcessorTime;
            }
            catch (InvalidOperationException)
            {
                return null; // it exited
            }
        }
    }

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

    /// <summary>
    /// A base URL the provider layer can use as Groq's: streamed chat completions in Groq's wire shape (one token a chunk,
    /// as Groq streams), paced like <see cref="StreamUri"/>, each saying in <c>x-simulator-served</c> when its first chunk left.
    /// </summary>
    public Uri GroqBaseUrl(TimeSpan firstChunkDelay, TimeSpan chunkGap, int chunks) =>
        new(BaseAddress, string.Create(CultureInfo.InvariantCulture,
            $"{GroqPathPrefix.TrimStart('/')}/{firstChunkDelay.TotalMilliseconds}/{chunkGap.TotalMilliseconds}/{chunks}/openai/v1"));

    /// <summary>Starts the endpoint in this process.</summary>
    public static async Task<PacedEndpoint> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.UseKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0);
            options.Limits.MaxConcurrentConnections = null;
            options.AddServerHeader = false;
        });
        var app = builder.Build();
        app.MapGet(ZeroPath, ServeZeroAsync);
        app.MapGet(StreamPath, ServeStreamAsync);
        app.MapPost(GroqPathPrefix + "/{first}/{gap}/{chunks}/openai/v1/chat/completions", ServeGroqCompletionAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
                        ?? throw new InvalidOperationException("Kestrel did not report the address it listens on.");
        var address = addresses.Addresses.First();
        return new PacedEndpoint(app, null, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>
    /// Starts <paramref name="command"/> — a program that calls <see cref="ServeUntilInputEndsAsync"/>, e.g.
    /// <c>providerspecs bench-target</c> — and waits for it to print where it listens. The child stops when this
    /// endpoint is disposed (its standard input closes) and is killed if it does not.
    /// </summary>
    public static async Task<PacedEndpoint> StartInChildProcessAsync(ProcessStartInfo command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.RedirectStandardInput = true;
        command.RedirectStandardOutput = true;
        command.RedirectStandardError = true;
        command.UseShellExecute = false;
        // The target's own settings, whatever the measuring process (whose environment the child inherits) runs with.
        command.Environment[Load.MeasuringRuntime.Gen0BudgetVariable] = ChildGen0Budget;
        command.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = ChildThreadPoolSpinLimit;
        command.Environment[Load.InlineSocketCompletions.Variable] = "1";
        var described = $"{command.FileName} {string.Join(' ', command.ArgumentList)}".Trim();
        Process child;
        try
        {
            child = Process.Start(command) ?? throw new InvalidOperationException($"the paced endpoint '{described}' did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"could not start the paced endpoint '{described}': {e.Message}.", e);
        }
        var errors = child.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (await child.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
                if (line.StartsWith(ListeningPrefix, StringComparison.Ordinal) && Uri.TryCreate(line[ListeningPrefix.Length..].Trim(), UriKind.Absolute, out var address))
                    return address.IsLoopback
                        ? new PacedEndpoint(null, child, address)
                        : throw new InvalidOperationException($"the paced endpoint '{described}' listens on {address}, off the loopback interface; the self-test only sends to 127.0.0.1.");
            await child.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"the paced endpoint '{described}' exited ({child.ExitCode}) without saying where it listens: {(await errors.ConfigureAwait(false)).Trim()}");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            Stop(child);
            child.Dispose();
            throw new TimeoutException($"the paced endpoint '{described}' did not say where it listens within 30 s.", e);
        }
        catch
        {
            Stop(child);
            child.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The child side of <see cref="StartInChildProcessAsync"/>: serves in this process, writes
    /// <see cref="ListeningPrefix"/> and the base address to <paramref name="output"/>, and stops when
    /// <paramref name="input"/> ends (the parent closed it or exited) or on cancellation.
    /// </summary>
    public static async Task ServeUntilInputEndsAsync(TextReader input, TextWriter output, CancellationToken cancellationToken = default)
    {
        await using var endpoint = await StartAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(ListeningPrefix + endpoint.BaseAddress).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                // Lines are ignored: only the end of the input (or cancellation) stops the endpoint.
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: stop like the end of input.
        }
    }

    private static void Stop(Process child)
    {
        try
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
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

    // Groq's chunk shapes (shared/reference/provider-apis.md): the same id and created on every chunk, x_groq.id on the first
    // and the final chunk, usage on a last chunk with no choices when include_usage was asked, then [DONE].
    private const string GroqId = "chatcmpl-5e1f7a52-0f3c-4b7e-9a51-3d2c1b0a9f88";
    private const string GroqHead = "{\"id\":\"" + GroqId + "\",\"object\":\"chat.completion.chunk\",\"created\":1730241104,\"model\":\"llama-3.1-8b-instant\",\"system_fingerprint\":\"fp_179b0f92c9\",";
    private static readonly byte[] GroqOpening = Encoding.UTF8.GetBytes("data: " + GroqHead
        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"x_groq\":{\"id\":\"req_01selftest00000000000000000\"}}\n\n");
    private static readonly byte[] GroqContent = Encoding.UTF8.GetBytes("data: " + GroqHead
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" tok\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");

    private static byte[] GroqClosing(int chunks) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"data: {GroqHead}\"choices\":[{{\"index\":0,\"delta\":{{}},\"logprobs\":null,\"finish_reason\":\"length\"}}],\"usage\":null,\"x_groq\":{{\"id\":\"req_01selftest00000000000000000\"}}}}\n\n"
        + $"data: {GroqHead}\"choices\":[],\"usage\":{{\"prompt_tokens\":12,\"completion_tokens\":{chunks},\"total_tokens\":{12 + chunks}}}}}\n\ndata: [DONE]\n\n"));

    /// <summary>A streamed chat completion in Groq's shape, paced by the route's first-chunk delay, gap and chunk count.</summary>
    private static async Task ServeGroqCompletionAsync(HttpContext context, string first, string gap, string chunks)
    {
        var arrived = Stopwatch.GetTimestamp();
        var aborted = context.RequestAborted;
        // The body is read (the client sent it) but not interpreted: the route says how to answer.
        await context.Request.Body.CopyToAsync(Stream.Null, aborted).ConfigureAwait(false);
        var firstDelay = TimeSpan.FromMilliseconds(ReadNumber(first, 0));
        var gapDelay = TimeSpan.FromMilliseconds(ReadNumber(gap, 0));
        var count = Math.Max(1, (int)ReadNumber(chunks, 1));
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["x-request-id"] = "req_01selftest00000000000000000";

        var previous = arrived;
        await DelayAtLeastAsync(arrived, firstDelay, aborted).ConfigureAwait(false);
        for (var i = 0; i < count; i++)
        {
            if (i > 0) await DelayAtLeastAsync(previous, gapDelay, aborted).ConfigureAwait(false);
            previous = Stopwatch.GetTimestamp();
            if (i == 0)
            {
                // The headers leave with the first chunk: they say when it left, as the simulators' header does.
                response.Headers["x-simulator-served"] = string.Create(CultureInfo.InvariantCulture,
                    $"first-chunk-ms={Micros(previous - arrived) / 1000.0:0.###}; chunk-gap-ms={gapDelay.TotalMilliseconds:0.###}");
                await response.Body.WriteAsync(GroqOpening, aborted).ConfigureAwait(false);
            }
            await response.Body.WriteAsync(GroqContent, aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(aborted).ConfigureAwait(false);
        }
        await response.Body.WriteAsync(GroqClosing(count), aborted).ConfigureAwait(false);
    }

    /// <summary>Waits until <paramref name="delay"/> has passed since <paramref name="since"/>: never sooner, at most ~1 ms later.</summary>
    private static Task DelayAtLeastAsync(long since, TimeSpan delay, CancellationToken cancellationToken) =>
        PrecisePacer.Shared.WaitAsync(since, delay, cancellationToken);

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
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        if (_child is not null)
        {
            _child.StandardInput.Close(); // the child stops at the end of its input
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _child.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Stop(_child);
            }
            _child.Dispose();
        }
    }
}
