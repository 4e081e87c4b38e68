namespace ProviderSpecs.Drivers.Targets;

/// <summary>What the features run against: the in-process simulated providers (default) or the real APIs.</summary>
public enum TargetKind
{
    Simulated,
    Live,
}

public static class TargetKinds
{
    public const string Variable = "SPECS_TARGET";

    /// <summary>Reads SPECS_TARGET; anything but "simulated" or "live" is an error that says what to set.</summary>
    public static TargetKind FromEnvironment(Func<string, string?>? getVariable = null)
    {
        var value = (getVariable ?? Environment.GetEnvironmentVariable)(Variable)?.Trim();
        return value?.ToLowerInvariant() switch
        {
            null or "" or "simulated" => TargetKind.Simulated,
            "live" => TargetKind.Live,
            _ => throw new ArgumentException($"{Variable}='{value}' is not a target: use '{Variable}=simulated' (the default, offline) or '{Variable}=live' (the real APIs, with keys)."),
        };
    }
}
