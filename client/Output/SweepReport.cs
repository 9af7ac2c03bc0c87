using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Client.Output;

/// <summary>What a finished sweep writes: sweep.csv (one row per cell), sweep.json (settings, cells,
/// configurations with their chip statistics and the Pareto front) and sweep.md (the table a reader wants).</summary>
internal sealed record SweepReport(SweepPlan Plan, IReadOnlyDictionary<string, CellMetrics> Results, IReadOnlyList<SweepPoint> Points,
    SweepMetric Metric, SweepSettings Settings, IReadOnlySet<string> Kept, Provenance Provenance)
{
    public SweepReport(SweepOutcome outcome) : this(outcome.Request.Plan, outcome.Results.Cells, outcome.Points, outcome.Request.Metric, outcome.Settings,
        outcome.Results.Kept, outcome.Request.Provenance())
    {
    }

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly string[] CellColumns =
    [
        "kl_paper", "kl_2d", "energy_distance", "class_accuracy", "decoded_class_accuracy", "frechet_distance", "modes_recovered", "mode_weight_error",
        "energy_per_sample_joules", "time_per_sample_seconds",
        "network_evaluations_per_sample", "embedding_dac_overflow_fraction", "saturated_tile_outputs", "integrator_rail_clips", "samples_sha256",
    ];

    private static IEnumerable<string> Values(CellMetrics m) =>
    [
        N(m.KlPaper), N(m.Kl2D), N(m.EnergyDistance), N(m.ClassAccuracy), N(m.DecodedClassAccuracy), N(m.FrechetDistance), N(m.ModesRecovered), N(m.ModeWeightError),
        N(m.EnergyPerSampleJoules), N(m.TimePerSampleSeconds),
        N(m.NetworkEvaluationsPerSample), N(m.EmbeddingDacOverflowFraction), m.SaturatedTileOutputs.ToString(Inv), m.IntegratorRailClips.ToString(Inv), m.SamplesSha256,
    ];

    private static string N(double? v) => v is { } d ? d.ToString("R", Inv) : "";

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.</summary>
    private static string Field(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{s.Replace("\"", "\"\"")}\"" : s;

    /// <summary>Every cell, in plan order. Nothing in it depends on where or how fast a cell ran, so two runs
    /// of one sweep write the same file.</summary>
    public string Csv()
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', new[] { "model" }.Concat(Plan.Axes.Select(a => a.Name)).Concat(["chip"]).Concat(CellColumns).Append("cell_id").Select(Field)).Append('\n');
        foreach (var c in Plan.Cells)
            sb.AppendJoin(',', new[] { c.Model.Name }.Concat(c.Settings).Append(c.Chip.ToString(Inv)).Concat(Values(Results[c.Id])).Append(c.Id).Select(Field)).Append('\n');
        return sb.ToString();
    }

    public JsonObject Json()
    {
        JsonObject Stats(ChipStatistics? s) => s is null ? new JsonObject() : new JsonObject { ["mean"] = s.Mean, ["standard_error"] = s.StandardError, ["chips"] = s.Chips };
        JsonObject SettingsOf(IReadOnlyList<string> values) => new(Plan.Axes.Select((a, i) => KeyValuePair.Create(a.Name, (JsonNode?)values[i])));
        var json = new JsonObject
        {
            ["sweep_id"] = Plan.Id,
            ["metric"] = Metric.Key(),
            ["settings"] = JsonSerializer.SerializeToNode(Settings, ReportWriter.Default.SweepSettings),
            ["axes"] = new JsonArray(Plan.Axes.Select(a => (JsonNode)new JsonObject { ["key"] = a.Name, ["values"] = new JsonArray(a.Values.Select(v => (JsonNode)v).ToArray()) }).ToArray()),
            ["models"] = new JsonArray(Plan.Models.Select(m => (JsonNode)new JsonObject { ["name"] = m.Name, ["sha256"] = m.Sha256 }).ToArray()),
            ["chips"] = Plan.Chips,
            ["cells_total"] = Plan.Cells.Count,
            ["cells_kept"] = Plan.Cells.Count(c => Kept.Contains(c.Id)),
        };
        json["cells"] = new JsonArray(Plan.Cells.Select(c =>
        {
            var m = Results[c.Id];
            var cell = new JsonObject { ["id"] = c.Id, ["model"] = c.Model.Name, ["settings"] = SettingsOf(c.Settings), ["chip"] = c.Chip, ["kept_from_earlier_run"] = Kept.Contains(c.Id) };
            foreach (var (key, value) in CellColumns.Zip(Values(m)))
                cell[key] = value.Length == 0 ? null : key == "samples_sha256" ? value : JsonValue.Create(double.Parse(value, Inv));
            cell["wall_seconds"] = m.WallSeconds;
            return (JsonNode)cell;
        }).ToArray());
        json["configurations"] = new JsonArray(Points.Select(p => (JsonNode)new JsonObject
        {
            ["model"] = p.Model.Name,
            ["settings"] = SettingsOf(p.Settings),
            [Metric.Key()] = Stats(p.Quality),
            ["energy_per_sample_joules"] = Stats(p.Energy),
            ["time_per_sample_seconds"] = Stats(p.Time),
            ["pareto_front"] = p.OnParetoFront,
        }).ToArray());
        json["provenance"] = JsonSerializer.SerializeToNode(Provenance, ReportWriter.Default.Provenance);
        return json;
    }

    public string Markdown()
    {
        var sb = new StringBuilder();
        string metric = Metric.Key();
        sb.AppendLine(Inv, $"# Sweep {Plan.Id}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"{Plan.Cells.Count} cells: {Plan.Models.Count} model(s) × {Points.Count / Plan.Models.Count} setting(s) × {Plan.Chips} chip(s) (programming seeds 1…{Plan.Chips}), on `{Settings.Profile}` with the {Settings.Sampler} sampler, {Settings.Samples} samples per cell{(Plan.Cells.Any(c => c.Labels.Length > 0) ? $" (labels {Settings.Labels})" : "")}, seed {Settings.Seed}.");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Values are the mean ± standard error over chips. **{metric}**: {Describe(Metric)} Energy and time are per sample on the simulated hardware. ★ marks the Pareto front: no other configuration has both lower energy and {(Metric.HigherIsBetter() ? "higher" : "lower")} {metric}, where differences within two standard errors over chips (and energy differences below {SweepSummary.EnergyTieFraction:P2}) count as ties, so configurations the chips cannot tell apart are starred together or not at all.");
        sb.AppendLine();
        sb.AppendLine("| model | " + string.Concat(Plan.Axes.Select(a => $"{a.Name} | ")) + $"{metric} | energy per sample (µJ) | time per sample (ms) | Pareto |");
        sb.AppendLine("|---|" + string.Concat(Plan.Axes.Select(_ => "---|")) + "---|---|---|---|");
        foreach (var p in Points)
            sb.AppendLine(Inv, $"| {p.Model.Name} | {string.Concat(p.Settings.Select(s => $"{s} | "))}{(p.Quality is { } q ? $"{q.Mean:F4} ± {q.StandardError:F4}" : "—")} | {p.Energy.Mean * 1e6:G4} ± {p.Energy.StandardError * 1e6:0.######} | {p.Time.Mean * 1e3:G4} | {(p.OnParetoFront ? "★" : "")} |");
        sb.AppendLine();
        int kept = Plan.Cells.Count(c => Kept.Contains(c.Id));
        if (kept > 0) sb.AppendLine(Inv, $"{kept} of {Plan.Cells.Count} cells were kept from an earlier run of this sweep (`cells/`).");
        sb.AppendLine("Per-cell values (every chip) are in `sweep.csv`; plots: " + string.Join(", ", PlotNames().Select(n => $"`{n}`")) + ".");
        return sb.ToString();
    }

    public IEnumerable<string> PlotNames() =>
        (Plan.Axes.Count == 0 ? ["quality.png"] : Plan.Axes.Select(a => $"quality-{SweepPlots.FileSafe(a.Name)}.png")).Append("pareto.png");

    private static string Describe(SweepMetric metric) => metric switch
    {
        SweepMetric.KlPaper => "the paper's KL divergence between generated and reference samples (lower is better).",
        SweepMetric.Kl2D => "KL divergence of 2-D histograms over the first two coordinates (lower is better).",
        SweepMetric.EnergyDistance => "energy distance between generated and reference samples, all coordinates (lower is better; 0 for equal distributions).",
        SweepMetric.DecodedClassAccuracy => "fraction of decoded images the VAE's classifier (trained on real images only) assigns to the label they were generated for (higher is better).",
        SweepMetric.FrechetDistance => "Fréchet distance between the VAE classifier's features of decoded and of real held-out images (FID's formula in that classifier's feature space; lower is better).",
        _ => "fraction of samples a k-NN classifier fitted on the reference assigns to the label they were generated for (higher is better).",
    };
}
