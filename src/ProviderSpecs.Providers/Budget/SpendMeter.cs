namespace ProviderSpecs.Providers.Budget;

/// <summary>
/// Counts what one unit of work (e.g. one scenario) reserved from a <see cref="LiveBudget"/>: requests and their maximum
/// output tokens. A meter is current for an async flow (<see cref="Start"/>), so work running in parallel is counted
/// apart; every reservation made in that flow — by any budget — is added to it.
/// </summary>
public sealed class SpendMeter
{
    private static readonly AsyncLocal<SpendMeter?> CurrentMeter = new();
    private long _requests;
    private long _tokens;
    private long _refused;

    /// <summary>The meter of the current async flow, or null.</summary>
    public static SpendMeter? Current => CurrentMeter.Value;

    /// <summary>Makes a fresh meter current for this async flow (and the tasks it starts) and returns it.</summary>
    public static SpendMeter Start() => CurrentMeter.Value = new SpendMeter();

    /// <summary>Ends metering for this async flow.</summary>
    public static void Stop() => CurrentMeter.Value = null;

    public long Requests => Interlocked.Read(ref _requests);
    public long Tokens => Interlocked.Read(ref _tokens);

    /// <summary>Requests a budget refused in this flow (nothing was sent for them).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    internal void Add(long tokens)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _tokens, tokens);
    }

    internal void AddRefusal() => Interlocked.Increment(ref _refused);

    public override string ToString() => $"{Requests} requests, {Tokens} tokens reserved{(Refused > 0 ? $", {Refused} refused" : "")}";
}
