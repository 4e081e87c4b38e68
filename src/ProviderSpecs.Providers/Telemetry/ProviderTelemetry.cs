using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ProviderSpecs.Providers.Telemetry;

/// <summary>Opt-in telemetry settings (off by default).</summary>
public sealed record TelemetryOptions
{
    public bool Enabled { get; init; }
    /// <summary>Record prompts and replies on spans (GenAI convention's sensitive data). Off unless asked for.</summary>
    public bool EnableSensitiveData { get; init; }
}

/// <summary>
/// Names to subscribe to with OpenTelemetry: <c>.AddSource(ProviderTelemetry.ActivitySourceName)</c> and
/// <c>.AddMeter(ProviderTelemetry.MeterName)</c>. Spans and <c>gen_ai.client.*</c> metrics come from
/// Microsoft.Extensions.AI's OpenTelemetry middleware under these names; this layer adds errors by key and time to first token.
/// </summary>
public static class ProviderTelemetry
{
    public const string ActivitySourceName = "ProviderSpecs.Providers";
    public const string MeterName = "ProviderSpecs.Providers";
    public const string ErrorsInstrument = "providerspecs.client.errors";
    public const string TimeToFirstTokenInstrument = "providerspecs.client.time_to_first_token";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Errors = Meter.CreateCounter<long>(ErrorsInstrument, "{error}", "Failed provider calls by error key.");
    private static readonly Histogram<double> TimeToFirstToken = Meter.CreateHistogram<double>(TimeToFirstTokenInstrument, "s", "Time from request start to the first streamed chunk.");

    internal static void RecordError(TelemetryOptions options, string providerId, string? model, string errorKey)
    {
        if (!options.Enabled) return;
        Errors.Add(1, new TagList { { "gen_ai.provider.name", providerId }, { "gen_ai.request.model", model }, { "error.type", errorKey } });
    }

    internal static void RecordTimeToFirstToken(TelemetryOptions options, string providerId, string model, TimeSpan elapsed)
    {
        if (!options.Enabled) return;
        TimeToFirstToken.Record(elapsed.TotalSeconds, new TagList { { "gen_ai.provider.name", providerId }, { "gen_ai.request.model", model } });
    }
}
