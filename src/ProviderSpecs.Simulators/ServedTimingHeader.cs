using System.Globalization;

namespace ProviderSpecs.Simulators;

/// <summary>
/// The simulators' own response header — real providers never send it, clients ignore it — telling a benchmark what was
/// served, so it can take measured − served per request: <c>x-simulator-served: first-chunk-ms=174.213; chunk-gap-ms=2.500</c>.
/// <c>first-chunk-ms</c> is when the first chunk (a non-streamed answer: the whole answer) left, from the request's arrival,
/// on the simulator's clock; <c>chunk-gap-ms</c> is the paced gap between content chunks. With <c>planned</c> the headers left
/// before the first chunk (<see cref="SimulatorOptions.StreamHeadersAtQueueExit"/>), so the figure is the plan.
/// </summary>
public static class ServedTimingHeader
{
    public const string Name = "x-simulator-served";

    public static string Format(double firstChunkSeconds, double? chunkGapSeconds, bool planned = false) =>
        string.Create(CultureInfo.InvariantCulture, $"first-chunk-ms={firstChunkSeconds * 1000:0.###}")
        + (chunkGapSeconds is { } gap ? string.Create(CultureInfo.InvariantCulture, $"; chunk-gap-ms={gap * 1000:0.###}") : "")
        + (planned ? "; planned" : "");
}
