using System.Collections.Concurrent;

namespace ProviderSpecs.Drivers.Support;

/// <summary>
/// Everything a scenario's drivers produced that a user could see — results, error messages, explanations,
/// option dumps — so a scenario can check that no secret appears in any of it.
/// </summary>
public sealed class ScenarioTranscript
{
    private readonly ConcurrentQueue<string> _entries = new();

    public void Record(object? value)
    {
        switch (value)
        {
            case null:
                return;
            case Exception e:
                _entries.Enqueue(e.ToString()); // message, inner exceptions and stack: what a log would hold
                return;
            default:
                _entries.Enqueue(value.ToString() ?? "");
                return;
        }
    }

    /// <summary>The last thing a driver attempted in this scenario: what "the attempt fails with …" checks.</summary>
    public IAttempt? LastAttempt { get; private set; }

    internal TAttempt Remember<TAttempt>(TAttempt attempt) where TAttempt : IAttempt
    {
        LastAttempt = attempt;
        return attempt;
    }

    public IAttempt RequireLastAttempt() =>
        LastAttempt ?? throw new InvalidOperationException("Nothing was attempted yet in this scenario: a When step must try something first.");

    public IReadOnlyList<string> Entries => _entries.ToList();

    public string Text => string.Join(Environment.NewLine, _entries);
}
