using System.Globalization;
using System.Security;
using System.Text;
using ProviderSpecs.Benchmarking.Budgets;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Results;

namespace ProviderSpecs.Benchmarking.Reporting;

/// <summary>Minimal self-contained SVG charts (no scripts, no external references) that can be inlined in HTML.</summary>
public static class SvgCharts
{
    private static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7"];
    private static readonly Percentile[] BarPercentiles = [Percentile.P50, Percentile.P90, Percentile.P95, Percentile.P99];

    /// <summary>Grouped bars: for each of P50/P90/P95/P99, one bar per scenario (provider/model) of <paramref name="metric"/>.</summary>
    public static string LatencyPercentiles(IReadOnlyList<ScenarioResult> scenarios, Metric metric = Metric.Ttft)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        const int width = 720, height = 360, left = 60, right = 180, top = 40, bottom = 40;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var distributions = scenarios.Select(s => LatencyBudget.Select(s, metric)).ToArray();
        // A run with nothing measured gets no bar: a "—" marks its place, never a bar of 0.
        var maxValue = NiceCeiling(distributions.SelectMany(d => BarPercentiles.Select(p => d.TryValueOf(p) ?? 0)).DefaultIfEmpty(0).Max());
        var title = distributions.FirstOrDefault()?.Metric ?? metric.ToString();

        var svg = Begin(width, height, $"{title} percentiles by provider/model (ms)");
        AxisY(svg, left, top, plotW, plotH, maxValue, "ms");
        var groupW = (double)plotW / BarPercentiles.Length;
        var barW = Math.Max(2, (groupW - 16) / Math.Max(1, scenarios.Count));
        for (var g = 0; g < BarPercentiles.Length; g++)
        {
            var groupX = left + g * groupW + 8;
            for (var s = 0; s < distributions.Length; s++)
            {
                var x = groupX + s * barW;
                if (distributions[s].TryValueOf(BarPercentiles[g]) is not { } value)
                {
                    svg.Append(F($"<text x=\"{x + barW / 2:0.#}\" y=\"{top + plotH - 4}\" text-anchor=\"middle\" fill=\"{Palette[s % Palette.Length]}\">—<title>{Escape(Label(scenarios[s]))} {BarPercentiles[g].Label()}: {Escape(scenarios[s].NotMeasuredReason() ?? "not measured")}</title></text>\n"));
                    continue;
                }
                var h = maxValue <= 0 ? 0 : value / maxValue * plotH;
                svg.Append(F($"<rect x=\"{x:0.#}\" y=\"{top + plotH - h:0.#}\" width=\"{barW - 1:0.#}\" height=\"{h:0.#}\" fill=\"{Palette[s % Palette.Length]}\"><title>{Escape(Label(scenarios[s]))} {BarPercentiles[g].Label()} {value:0.0} ms</title></rect>\n"));
            }
            svg.Append(F($"<text x=\"{left + g * groupW + groupW / 2:0.#}\" y=\"{top + plotH + 18}\" text-anchor=\"middle\">{BarPercentiles[g].Label()}</text>\n"));
        }
        Legend(svg, width - right + 10, top, scenarios.Select((s, i) => distributions[i].IsEmpty ? Label(s) + " (not measured)" : Label(s)).ToArray());
        svg.Append(F($"<text x=\"{left}\" y=\"{height - 6}\" font-size=\"10\">{Escape(distributions.FirstOrDefault()?.Definition ?? "")}</text>\n"));
        return End(svg);
    }

    /// <summary>Line chart of run throughput against the swept load level (concurrency or rate).</summary>
    public static string ThroughputVsLoad(IReadOnlyList<SweepResult> sweeps, ThroughputMetric metric = ThroughputMetric.RequestsPerSecond)
    {
        ArgumentNullException.ThrowIfNull(sweeps);
        const int width = 720, height = 360, left = 60, right = 180, top = 40, bottom = 40;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        // Points where nothing succeeded have no rate: they are left off the line (and named in the legend), never drawn at 0.
        Func<ScenarioResult, double?> rate = metric == ThroughputMetric.RequestsPerSecond ? r => r.RequestsPerSecond.Value : r => r.OutputTokensPerSecond.Value;
        double y(ScenarioResult r) => rate(r)!.Value;
        var unit = metric == ThroughputMetric.RequestsPerSecond ? "req/s" : "tok/s";
        var parameter = sweeps.FirstOrDefault()?.Parameter ?? "concurrency";
        var maxX = NiceCeiling(sweeps.SelectMany(s => s.Points).Select(p => p.Load.Level).DefaultIfEmpty(1).Max());
        var maxY = NiceCeiling(sweeps.SelectMany(s => s.Points).Where(p => rate(p) is not null).Select(y).DefaultIfEmpty(0).Max());

        var svg = Begin(width, height, $"Throughput ({unit}) versus {parameter}");
        AxisY(svg, left, top, plotW, plotH, maxY, unit);
        for (var i = 0; i <= 4; i++)
        {
            var xValue = maxX * i / 4;
            svg.Append(F($"<text x=\"{left + plotW * i / 4.0:0.#}\" y=\"{top + plotH + 18}\" text-anchor=\"middle\">{xValue:0.##}</text>\n"));
        }
        svg.Append(F($"<text x=\"{left + plotW / 2}\" y=\"{height - 6}\" text-anchor=\"middle\">{parameter}</text>\n"));
        for (var s = 0; s < sweeps.Count; s++)
        {
            var color = Palette[s % Palette.Length];
            var points = sweeps[s].Points.Where(p => rate(p) is not null).OrderBy(p => p.Load.Level)
                .Select(p => (X: left + (maxX <= 0 ? 0 : p.Load.Level / maxX * plotW), Y: top + plotH - (maxY <= 0 ? 0 : y(p) / maxY * plotH), V: y(p), L: p.Load.Level))
                .ToArray();
            svg.Append(F($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', points.Select(p => F($"{p.X:0.#},{p.Y:0.#}")))}\"/>\n"));
            foreach (var p in points)
                svg.Append(F($"<circle cx=\"{p.X:0.#}\" cy=\"{p.Y:0.#}\" r=\"3\" fill=\"{color}\"><title>{parameter} {p.L:0.##}: {p.V:0.0} {unit}</title></circle>\n"));
        }
        Legend(svg, width - right + 10, top, sweeps.Select(s => s.Points.Where(p => rate(p) is null).Select(p => p.Load.Level.ToString("0.##", CultureInfo.InvariantCulture)).ToList() is { Count: > 0 } missing
            ? $"{s.Provider} / {s.Model} (not measured at {string.Join(", ", missing)})" : $"{s.Provider} / {s.Model}").ToArray());
        return End(svg);
    }

    private static string Label(ScenarioResult s) => $"{s.Provider} / {s.Model}";

    private static StringBuilder Begin(int width, int height, string title)
    {
        var svg = new StringBuilder();
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(F($"<title>{Escape(title)}</title>\n<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n"));
        svg.Append(F($"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>\n"));
        return svg;
    }

    private static string End(StringBuilder svg) => svg.Append("</svg>\n").ToString();

    private static void AxisY(StringBuilder svg, int left, int top, int plotW, int plotH, double max, string unit)
    {
        svg.Append(F($"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + plotH}\" stroke=\"#333\"/>\n"));
        svg.Append(F($"<line x1=\"{left}\" y1=\"{top + plotH}\" x2=\"{left + plotW}\" y2=\"{top + plotH}\" stroke=\"#333\"/>\n"));
        for (var i = 0; i <= 4; i++)
        {
            var y = top + plotH - plotH * i / 4.0;
            svg.Append(F($"<line x1=\"{left}\" y1=\"{y:0.#}\" x2=\"{left + plotW}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>\n"));
            svg.Append(F($"<text x=\"{left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{max * i / 4:0.##}</text>\n"));
        }
        svg.Append(F($"<text x=\"14\" y=\"{top + plotH / 2}\" transform=\"rotate(-90 14 {top + plotH / 2})\" text-anchor=\"middle\">{Escape(unit)}</text>\n"));
    }

    private static void Legend(StringBuilder svg, int x, int y, string[] labels)
    {
        for (var i = 0; i < labels.Length; i++)
        {
            svg.Append(F($"<rect x=\"{x}\" y=\"{y + i * 18}\" width=\"12\" height=\"12\" fill=\"{Palette[i % Palette.Length]}\"/>\n"));
            svg.Append(F($"<text x=\"{x + 16}\" y=\"{y + i * 18 + 10}\">{Escape(labels[i])}</text>\n"));
        }
    }

    /// <summary>Rounds up to 1, 2 or 5 × 10ⁿ so axis ticks are readable.</summary>
    private static double NiceCeiling(double value)
    {
        if (value <= 0 || double.IsNaN(value)) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1.0, 2.0, 5.0, 10.0 })
            if (step * magnitude >= value) return step * magnitude;
        return 10 * magnitude;
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
