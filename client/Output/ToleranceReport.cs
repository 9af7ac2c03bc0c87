using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MemristorGrid.Engine.Experiments;
using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary><c>memgrid tolerance</c>'s outputs: what each figure of the device may be alone, a combined feasible point, every probe, and a plot.</summary>
internal sealed class ToleranceReport(ToleranceOutcome outcome)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private ToleranceRequest Request => outcome.Request;
    private string MetricKey => Request.Budget.Metric.Key();
    private bool Accuracy => Request.Budget.Metric.HigherIsBetter();

    /// <summary>The probe's quality relative to digital: a ratio, or for an accuracy the difference.</summary>
    private double Relative(double value) => Accuracy ? value - outcome.Digital : value / outcome.Digital;
    private string RelativeText(double value) => Accuracy ? string.Create(Inv, $"{Relative(value):+0.000;-0.000}") : string.Create(Inv, $"{Relative(value):0.00}×");

    public string Markdown()
    {
        var s = Request.Spec;
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"# Tolerance: {s.Model.Name} on {Request.BaseProfile.Name}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Budget: **{Request.Budget.Describe()}** — digital {MetricKey} {outcome.Digital:G4} ({s.DigitalSteps} Euler steps, {(s.Options.Kind == Engine.Diffusion.SamplerKind.Sde ? "sde" : "ode")}), " +
            $"so {(Accuracy ? "≥" : "≤")} {Request.Budget.Limit(outcome.Digital):G4}. Every probe is the mean ± standard error over {s.Chips} chips (programming seeds 1…{s.Chips}), " +
            $"{Request.Count} samples each, on the {outcome.Machine}. A parameter is searched alone: every other searched parameter {(s.OthersAsStated ? "at the profile's value" : "at its good end")}, the rest of the profile as stated; " +
            $"{s.Steps} bisection steps over the fraction of its range (geometric for :log ranges).");
        sb.AppendLine();
        sb.AppendLine("| parameter | profile's value | good end → bad end | meets the budget up to | misses it at | at that value |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var f in outcome.Findings)
        {
            var p = f.Parameter;
            var atMet = f.Probes.Where(q => q.Meets).MaxBy(q => q.Fraction);
            string met = f.GoodEndFails ? "— (not even the good end)" : f.Failed is null ? $"{p.Format(f.Met!.Value)} (the whole range)" : p.Format(f.Met!.Value);
            string quality = atMet is null ? "—" : string.Create(Inv, $"{atMet.Quality.Mean:G4} ± {atMet.Quality.StandardError:G2} ({RelativeText(atMet.Quality.Mean)})");
            sb.AppendLine(Inv, $"| `{p.Key}` | {p.StatedText(Request.BaseProfile)} | {p.Format(p.Good)} → {p.Format(p.Bad)}{(p.Logarithmic ? " (log)" : "")} | **{met}** | {(f.Failed is { } x ? p.Format(x) : "—")} | {quality} |");
        }
        sb.AppendLine();
        if (outcome.CombinedPoint is { } c)
        {
            sb.AppendLine(Inv, $"Combined point meeting the budget ({(c.Fraction >= 1 ? "every parameter at its own threshold" : $"every parameter {c.Fraction:0.###} of the way from its good end to its own threshold")}): " +
                $"{string.Join(", ", c.Values.Select(v => $"`{v.Key}` = {v.Value}"))} — {MetricKey} {c.Quality.Mean:G4} ± {c.Quality.StandardError:G2} ({RelativeText(c.Quality.Mean)}).");
        }
        else sb.AppendLine("No combined point: a parameter misses the budget even at its good end (the budget is out of reach through the searched figures; look at what else the profile has).");
        sb.AppendLine();
        sb.AppendLine("Every probe (`tolerance.csv` has the same):");
        sb.AppendLine();
        sb.AppendLine(Inv, $"| search | fraction | values | {MetricKey} | vs digital | budget |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var q in Probes())
            sb.AppendLine(Inv, $"| {q.Search} | {q.Fraction:0.###} | {string.Join(", ", q.Values.Where(v => q.Search == "combined" || v.Key == q.Search).Select(v => $"{v.Key}={v.Value}"))} | {q.Quality.Mean:G4} ± {q.Quality.StandardError:G2} | {RelativeText(q.Quality.Mean)} | {(q.Meets ? "meets" : "misses")} |");
        return sb.ToString();
    }

    private IEnumerable<ToleranceProbe> Probes() => outcome.Findings.SelectMany(f => f.Probes).Concat(outcome.Combined);

    public string Csv()
    {
        var keys = Request.Parameters.Select(p => p.Key).ToList();
        var sb = new StringBuilder();
        sb.AppendLine($"search,fraction,{string.Join(',', keys)},{MetricKey}_mean,{MetricKey}_standard_error,chips,digital,meets");
        foreach (var q in Probes())
            sb.AppendLine(Inv, $"{q.Search},{q.Fraction:R},{string.Join(',', keys.Select(k => q.Values.First(v => v.Key == k).Value))},{q.Quality.Mean:R},{q.Quality.StandardError:R},{q.Quality.Chips},{outcome.Digital:R},{(q.Meets ? 1 : 0)}");
        return sb.ToString();
    }

    public JsonObject Json()
    {
        var s = Request.Spec;
        JsonObject Probe(ToleranceProbe q) => new()
        {
            ["search"] = q.Search, ["fraction"] = q.Fraction, ["values"] = new JsonObject(q.Values.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value))),
            ["mean"] = q.Quality.Mean, ["standard_error"] = q.Quality.StandardError, ["chips"] = q.Quality.Chips, ["meets"] = q.Meets,
        };
        return new JsonObject
        {
            ["kind"] = "tolerance",
            ["model"] = s.Model.Name,
            ["model_sha256"] = s.Model.Sha256,
            ["profile"] = Request.BaseProfile.Name,
            ["metric"] = MetricKey,
            ["budget"] = Request.Budget.Describe(),
            ["budget_limit"] = Request.Budget.Limit(outcome.Digital),
            ["digital"] = outcome.Digital,
            ["digital_steps"] = s.DigitalSteps,
            ["sampler"] = s.Options.Kind == Engine.Diffusion.SamplerKind.Sde ? "sde" : "ode",
            ["chips"] = s.Chips,
            ["samples"] = Request.Count,
            ["seed"] = s.Options.Seed,
            ["bisection_steps"] = s.Steps,
            ["others"] = s.OthersAsStated ? "stated" : "good",
            ["machine"] = outcome.Machine,
            ["command_line"] = new JsonArray(s.CommandLine.Select(a => (JsonNode?)a).ToArray()),
            ["parameters"] = new JsonArray(outcome.Findings.Select(f => (JsonNode?)new JsonObject
            {
                ["key"] = f.Parameter.Key, ["good"] = f.Parameter.Good, ["bad"] = f.Parameter.Bad, ["logarithmic"] = f.Parameter.Logarithmic,
                ["met_up_to"] = f.Met, ["misses_at"] = f.Failed, ["good_end_fails"] = f.GoodEndFails,
                ["probes"] = new JsonArray(f.Probes.Select(q => (JsonNode?)Probe(q)).ToArray()),
            }).ToArray()),
            ["combined"] = outcome.CombinedPoint is { } c ? Probe(c) : null,
            ["combined_probes"] = new JsonArray(outcome.Combined.Select(q => (JsonNode?)Probe(q)).ToArray()),
        };
    }

    /// <summary>Quality relative to digital against the fraction of each parameter's range (0 = good end, 1 = bad end), the budget as a line.</summary>
    public byte[] Plot()
    {
        PlotFont.Ensure();
        var plot = new Plot();
        plot.Font.Set(PlotFont.Name);
        plot.Title($"{Request.Spec.Model.Name} on {Request.BaseProfile.Name}: each figure alone (mean ± s.e. over {Request.Spec.Chips} chips)");
        var palette = new ScottPlot.Palettes.Category10();
        MarkerShape[] shapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown];
        for (int k = 0; k < outcome.Findings.Count; k++)
        {
            var f = outcome.Findings[k];
            var probes = f.Probes.OrderBy(q => q.Fraction).ToList();
            double[] xs = probes.Select(q => q.Fraction).ToArray(), ys = probes.Select(q => Relative(q.Quality.Mean)).ToArray();
            var color = palette.GetColor(k % 10);
            var bars = plot.Add.ErrorBar(xs, ys, probes.Select(q => Accuracy ? q.Quality.StandardError : q.Quality.StandardError / outcome.Digital).ToArray());
            bars.Color = color;
            var line = plot.Add.Scatter(xs, ys, color);
            line.MarkerShape = shapes[k % shapes.Length];
            line.MarkerSize = 8;
            var p = f.Parameter;
            line.LegendText = $"{p.Key}: {p.Format(p.Good)} → {p.Format(p.Bad)}{(p.Logarithmic ? " (log)" : "")}; meets up to {(f.Met is { } m ? p.Format(m) : "—")}";
        }
        var budget = plot.Add.HorizontalLine(Accuracy ? -Request.Budget.Bound : Request.Budget.Bound, 2, Colors.Black, LinePattern.Dashed);
        budget.LegendText = $"budget: {Request.Budget.Describe()}";
        plot.XLabel("fraction of the range, from the good end (0) to the bad end (1)");
        plot.YLabel(Accuracy ? $"{MetricKey} − digital" : $"{MetricKey} ÷ digital");
        plot.Axes.Margins(0.05, 0.1);
        // Far-off probes would squash the region around the budget: the axis stops at 20× the budget, and the legend says
        // which probes lie beyond it, so none is hidden.
        double top = 20 * Request.Budget.Bound;
        var beyond = Accuracy ? [] : outcome.Findings.SelectMany(f => f.Probes.Select(q => (f.Parameter, q))).Where(p => Relative(p.q.Quality.Mean) > top).ToList();
        if (beyond.Count > 0)
        {
            plot.Axes.SetLimitsY(0, top);
            var note = plot.Add.ScatterPoints(new double[] { 0 }, new double[] { double.NaN }, Colors.Gray);
            note.LegendText = $"above the top ({top:G3}×): " + string.Join(", ", beyond.OrderBy(p => p.Parameter.Key).ThenBy(p => p.q.Fraction)
                .Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{p.Parameter.Key.Split('.')[^1]} {p.Parameter.Format(p.Parameter.At(p.q.Fraction))} ({Relative(p.q.Quality.Mean):G3}×)")));
        }
        // Beside the plot: a bottom legend of this many long entries was cut off at the image's edge.
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(1700, Math.Max(700, 120 + 26 * (outcome.Findings.Count + 2)), ImageFormat.Png);
    }
}
