using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Drivers.Support;

/// <summary>
/// For scenarios whose requests must go out together (a measurement at a concurrency, requests held to a limit): on the
/// live target the account's rate limits may not let them. Before sending, a known limit that cannot take them skips the
/// scenario without spending; after, a burst the limits held back or answered with 429 skips it too — the figures would
/// describe the account's rate limiter, not the provider. Both reasons quote the limits seen. No-op without a pacer
/// (the simulated target).
/// </summary>
public sealed class AccountLimits
{
    private readonly RateLimitPacer? _pacer;
    private readonly ProviderDefinition _provider;
    private readonly string _model;
    private readonly string _what;
    private readonly PacingRecord? _before;

    private AccountLimits(RateLimitPacer? pacer, ProviderDefinition provider, string model, string what)
    {
        _pacer = pacer;
        _provider = provider;
        _model = model;
        _what = what;
        _before = pacer?.RecordOf(provider.Id, model);
    }

    /// <summary>
    /// Longest wait for the account's windows to make room before a burst. Longer, the scenario is skipped at once: it
    /// used to send, be held back by the pacer for up to a minute, and be skipped as shaped all the same.
    /// </summary>
    public static readonly TimeSpan MaxWaitForRoom = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Checks, before anything is sent, that the limits known for the model can take <paramref name="requests"/> requests
    /// within a minute with <paramref name="together"/> of them at once, and that the windows have room for them now or
    /// within <see cref="MaxWaitForRoom"/> (it waits that long); returns a guard to check the burst afterwards.
    /// </summary>
    public static async Task<AccountLimits> RequireAsync(RateLimitPacer? pacer, ProviderDefinition provider, string model, int requests, int together, string what,
        CancellationToken cancellationToken = default)
    {
        if (pacer is not null)
        {
            var tooSmall = pacer.LimitsOf(provider.Id, model).Where(l => l.Counts == "requests"
                && ((l.Period <= TimeSpan.FromSeconds(1) && l.Limit < together) || (l.Period >= TimeSpan.FromMinutes(1) && l.Period <= TimeSpan.FromHours(1) && l.Limit < requests))).ToList();
            if (tooSmall.Count > 0)
                throw new ScenarioCannotRunException(
                    $"not measured: {what} needs {requests} requests to {model} within a minute, {together} of them at once, "
                    + $"but {provider.DisplayName} allows this account {string.Join(", ", tooSmall)}. Nothing was sent for it; run it with a plan whose limits are higher.");
            var wait = pacer.WaitForRoom(provider.Id, model, requests);
            if (wait > MaxWaitForRoom)
                throw new ScenarioCannotRunException(
                    $"not measured: {what} needs {requests} requests to {model} within a minute, and the account's windows ({pacer.Describe(provider.Id, model)}) "
                    + $"have room for them only in {wait.TotalSeconds:0} s; sent now, the limits would shape the figures. Nothing was sent for it; run it on its own or with a plan whose limits are higher.");
            if (wait > TimeSpan.Zero) await Task.Delay(wait, pacer.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        return new AccountLimits(pacer, provider, model, what);
    }

    /// <summary>After the burst: skips the scenario if the account's limits held requests back or answered 429.</summary>
    public void RequireUnshaped(int requests, int together)
    {
        if (_pacer is null || _before is null) return;
        var after = _pacer.RecordOf(_provider.Id, _model);
        var held = after.Held - _before.Held;
        var limited = after.RateLimited - _before.RateLimited;
        if (held == 0 && limited == 0) return;
        // This burst's own holds: the record's longest hold is the whole run's, which may be an earlier scenario's.
        var heldFor = after.TotalHeld - _before.TotalHeld;
        throw new ScenarioCannotRunException(
            $"not measured: the account's rate limits shaped {_what} — {held} requests were held back ({heldFor.TotalSeconds:0.###} s in all) "
            + $"and {limited} answered 429. Limits seen: {_pacer.Describe(_provider.Id, _model)}. It needs {requests} requests within a minute, {together} of them at once.");
    }
}
