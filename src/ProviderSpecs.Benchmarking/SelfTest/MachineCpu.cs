using System.Globalization;

namespace ProviderSpecs.Benchmarking.SelfTest;

/// <summary>
/// How busy the whole machine's processors are, from the kernel's counters (<c>/proc/stat</c>, Linux): the harness,
/// its target and whatever else runs. A timing error measured on a machine near 100% is queueing for the CPU.
/// </summary>
public readonly record struct MachineCpu(long BusyTicks, long TotalTicks)
{
    /// <summary>The counters now, or null where they cannot be read (not Linux, no /proc).</summary>
    public static MachineCpu? Sample(string path = "/proc/stat")
    {
        try
        {
            using var reader = new StreamReader(path);
            return Parse(reader.ReadLine());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The aggregate <c>cpu</c> line: user nice system idle iowait irq softirq steal …; idle and iowait are not busy.</summary>
    public static MachineCpu? Parse(string? line)
    {
        var fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields is not { Length: >= 5 } || fields[0] != "cpu") return null;
        long total = 0, idle = 0;
        for (var i = 1; i < fields.Length && i <= 8; i++) // guest time is counted in user already
        {
            if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)) return null;
            total += ticks;
            if (i is 4 or 5) idle += ticks;
        }
        return new MachineCpu(total - idle, total);
    }

    /// <summary>Share of processor time in use between <paramref name="before"/> and <paramref name="after"/> (0–1), or null.</summary>
    public static double? Busy(MachineCpu? before, MachineCpu? after) =>
        before is { } b && after is { } a && a.TotalTicks > b.TotalTicks ? (double)(a.BusyTicks - b.BusyTicks) / (a.TotalTicks - b.TotalTicks) : null;
}
