using System.Globalization;
using System.Text;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Client.Output;

/// <summary><c>compare.md</c> and the console's table, from the typed <see cref="CompareReport"/>.</summary>
public static class CompareMarkdown
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string G(double v) => v.ToString("G4", Inv);

    private static string Quality(double? kl, double? accuracy) => kl is not { } k ? "n/a"
        : accuracy is { } c ? string.Create(Inv, $"kl_paper {k:F4}, accuracy {c:F3}") : string.Create(Inv, $"kl_paper {k:F4}");

    private static string Images(double? accuracy, double? frechet) => accuracy is null && frechet is null ? "n/a"
        : string.Create(Inv, $"accuracy {accuracy:F3}, Fréchet distance {frechet:F3}");

    /// <summary>The side-by-side table: quality, time and energy per sample, one at a time and batched.</summary>
    public static string Table(CompareReport c)
    {
        var (d, a) = (c.Digital, c.Analog);
        var sb = new StringBuilder();
        sb.AppendLine($"|  | {c.DigitalColumn} | analog ({c.Profile}) | digital / analog |");
        sb.AppendLine("|---|---|---|---|");
        sb.AppendLine($"| quality | {Quality(d.KlPaper, d.ClassAccuracy)} | {Quality(a.KlPaper, a.ClassAccuracy)} |  |");
        if (d.DecodedClassAccuracy is not null || a.DecodedClassAccuracy is not null)
            sb.AppendLine($"| decoded images | {Images(d.DecodedClassAccuracy, d.DecodedFrechetDistance)} | {Images(a.DecodedClassAccuracy, a.DecodedFrechetDistance)} |  |");
        sb.AppendLine($"| time per sample, one at a time (latency; CPU time) | {Units.Time(d.LatencySeconds)} | {Units.Time(a.TimePerSampleSeconds)} | speed-up {G(c.Speedup)}× |");
        sb.AppendLine($"| time per sample, batched (throughput; CPU time) | {Units.Time(d.TimePerSampleSeconds)} | {Units.Time(a.TimePerSampleSeconds)} | {G(c.SpeedupThroughput)}× |");
        sb.AppendLine($"| energy per sample, one at a time | {Units.Energy(d.EnergyPerSampleJoules)} | {Units.Energy(a.EnergyPerSampleJoules)} | {G(c.EnergyRatio)}× |");
        sb.AppendLine($"| energy per sample, batched | {Units.Energy(d.EnergyPerSampleBatchedJoules)} | {Units.Energy(a.EnergyPerSampleJoules)} | {G(c.EnergyRatioBatched)}× |");
        return sb.ToString();
    }

    public static string Render(CompareReport c)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"# Digital vs. analog: {Path.GetFileName(c.Model)} on `{c.Profile}`, {c.Samples} samples, seed {c.Seed}");
        sb.AppendLine();
        sb.AppendLine(Table(c));
        sb.AppendLine("Assumptions:");
        foreach (var line in c.Assumptions) sb.AppendLine($"- {line}");
        return sb.ToString();
    }
}
