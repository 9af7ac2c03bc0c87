using System.Globalization;
using System.Text;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Client.Output;

/// <summary>What an analog run writes into its output directory, and what it prints: every file from the typed outcome.</summary>
public static class RunWriter
{
    /// <summary>samples.csv, report.json, profile.json (the resolved profile its provenance names), report.md, samples.png,
    /// tiles.png, and images.png for a latent model. Each file is written atomically.</summary>
    public static void Write(string outDir, RunOutcome outcome)
    {
        var (r, result, report) = (outcome.Request, outcome.Result, outcome.Report);
        string title = $"{r.ModelName} — analog {report.Sampler} on {r.Profile.Name}";
        if (outcome.Images is { } images) LatentImages.Write(outDir, title, images, result.Labels);
        byte[] scatter = ScatterPlot.Render(title, result.Samples, result.Labels, r.Reference?.Data.X ?? [], result.Dim, r.Network.ClassNames, r.Reference?.Data.Labels);
        byte[] tiles = TileEnergyPlot.Render($"energy per sample — {r.Profile.Name}, {Units.Energy(result.EnergyPerSampleJoules)} in total", result, report.EnergyLines);
        RunOutputs.WriteSamples(outDir, result.Samples, result.Dim, result.Labels, r.Network.ClassNames);
        WriteProfile(outDir, r.StatedProfile);
        RunOutputs.WriteText(outDir, "report.json", ReportJson.Serialize(report));
        RunOutputs.WriteText(outDir, "report.md", RunMarkdown.Render(report, r.Baseline));
        RunOutputs.WritePng(outDir, "samples.png", scatter);
        RunOutputs.WritePng(outDir, "tiles.png", tiles);
    }

    /// <summary>The resolved profile beside a report (its provenance names the file and its SHA-256).</summary>
    public static void WriteProfile(string outDir, HardwareProfile profile) =>
        Engine.IO.AtomicFile.WriteAllBytes(Path.Combine(outDir, Provenance.ProfileFileName), Provenance.ProfileBytes(profile));

    /// <summary>"4000 samples", or for a conditional run "3 classes × 4000 = 12000 samples" (--samples counts per label).</summary>
    public static string SampleCount(long total, int[] labels)
    {
        int classes = labels.Distinct().Count();
        return classes > 1 ? string.Create(CultureInfo.InvariantCulture, $"{classes} classes × {total / classes} = {total} samples") : $"{total} samples";
    }

    /// <summary>The console's account of a run: size, speed, simulated time and energy, warnings, quality.</summary>
    public static string Summary(RunOutcome outcome)
    {
        var report = outcome.Report;
        var sb = new StringBuilder();
        if (report.Images is null) sb.Append(PerClassQuality.Lines(report.PerClass));
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"{SampleCount(report.Samples, outcome.Request.Labels)} on {report.Profile} ({report.Tiles.Count} tiles, {report.ChipCount} chip(s)) in {report.WallSeconds:F2} s wall; {report.NetworkEvaluations} lane network evaluations");
        double low = report.EnergyLines.Sum(l => l.LowJoulesPerSample), high = report.EnergyLines.Sum(l => l.HighJoulesPerSample);
        sb.AppendLine($"simulated: {Units.Time(report.TimePerSampleSeconds)} and {Units.Energy(report.EnergyPerSampleJoules)} per sample (band {Units.Energy(low)} – {Units.Energy(high)}; {report.EnergyBasis.SourcedShare.ToString("P1", CultureInfo.InvariantCulture)} of it sourced)");
        var loop = report.Loop;
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"loop: RC {Units.Time(loop.RcUsedSeconds)} = {loop.RcUsedSeconds / loop.RcMinSeconds:G3}× RC_min {Units.Time(loop.RcMinSeconds)} (delay {Units.Time(loop.LoopDelaySeconds)}, gain up to {loop.LoopGainMax:G3}; {(loop.NodeLimitDelaySeconds is null ? "RC given by the profile" : "RC derived")})"));
        foreach (var warning in report.Warnings.Where(w => w != RunReportBuilder.NoReference))
            sb.AppendLine($"warning: {warning}");
        if (report.ScoredOn == RunReportBuilder.ScoredOnCluster) sb.AppendLine("scored on the cluster (a silo loaded the reference and judged the samples):");
        sb.AppendLine(PerClassQuality.Headline(report.KlPaper, report.Kl2D, report.EnergyDistance, report.ClassAccuracy));
        if (report.ModeCoverage is { } modes) sb.AppendLine(PerClassQuality.Modes(modes));
        if (report.Images is { } images) sb.AppendLine(LatentImages.Summary(images));
        return sb.ToString().TrimEnd();
    }
}
