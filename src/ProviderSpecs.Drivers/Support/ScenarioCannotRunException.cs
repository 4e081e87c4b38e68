using ProviderSpecs.Providers.Errors;

namespace ProviderSpecs.Drivers.Support;

/// <summary>
/// The scenario cannot run here for a reason outside the system under test — the live budget is spent, or the account's
/// rate limits cannot serve a measurement. The suite declares it as skipping (never failing, never passing) the scenario,
/// with this message as the reason.
/// </summary>
public sealed class ScenarioCannotRunException(string reason, Exception? cause = null) : Exception(reason, cause)
{
    public const string BudgetSpentReason = "live budget spent";

    /// <summary>The skip a provider-layer failure stands for (the live budget refused a request), or null for a real failure.</summary>
    public static ScenarioCannotRunException? From(Exception error) =>
        error is ProviderException { ErrorKey: ErrorKeys.BudgetExhausted } spent
            ? new ScenarioCannotRunException($"{BudgetSpentReason}: {spent.Message}", spent)
            : null;
}
