using System.Diagnostics.Tracing;

namespace ProviderSpecs.Drivers.Support;

/// <summary>
/// Counts the HTTP connections this process opens to one host and port while it is alive, from .NET's own
/// <c>System.Net.Http</c> event source (its "connection established" event), so nothing in the client under
/// measurement changes. Process-wide, so it is used only by measurements, which run alone (the performance features
/// are <c>@non_parallel</c>); on the live target the host is the provider's.
/// </summary>
public sealed class ConnectionCounter : EventListener
{
    private const string HttpEventSource = "System.Net.Http";
    private const string ConnectionEstablished = "ConnectionEstablished";

    // EventListener's constructor calls OnEventSourceCreated for sources that already exist, before this constructor's
    // body runs: the filter is set afterwards and events seen before it are not counted.
    private volatile Filter? _filter;
    private int _opened;

    private sealed record Filter(string Host, int Port);

    public ConnectionCounter(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        _filter = new Filter(baseUrl.IdnHost, baseUrl.Port);
    }

    /// <summary>Connections opened to the host and port since this counter started.</summary>
    public int Opened => Volatile.Read(ref _opened);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == HttpEventSource) EnableEvents(eventSource, EventLevel.Informational);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (_filter is not { } filter || eventData.EventName != ConnectionEstablished || eventData.PayloadNames is not { } names || eventData.Payload is not { } payload) return;
        var host = names.IndexOf("host") is var h and >= 0 ? payload[h] as string : null;
        var port = names.IndexOf("port") is var p and >= 0 ? Convert.ToInt32(payload[p], System.Globalization.CultureInfo.InvariantCulture) : -1;
        if (string.Equals(host, filter.Host, StringComparison.OrdinalIgnoreCase) && port == filter.Port) Interlocked.Increment(ref _opened);
    }
}
