using System.Globalization;
using System.Text;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Client.Output;

/// <summary><c>reproduction.md</c>: quality, time and energy of both tasks beside the paper's figures, and the co-design sweep.</summary>
public static class ReproductionMarkdown
{
    private static string G(double v) => v.ToString(Math.Abs(v) >= 1000 ? "N0" : "G3", CultureInfo.InvariantCulture);

    private static string MeanSe(ChipStatistics s, string format = "F4") =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Mean.ToString(format, CultureInfo.InvariantCulture)} ± {s.StandardError.ToString(format, CultureInfo.InvariantCulture)}");

    public static string Render(ReproductionOutcome outcome)
    {
        var (runs, codesignPlan, codesign, assumptions) = (outcome.Tasks, outcome.CodesignPlan, outcome.Codesign, outcome.Assumptions);
        var (hardware, scale, quick) = (outcome.Spec.Hardware, outcome.Spec.Scale, outcome.Spec.Quick);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# Reproduction of Yang et al.: analog `{hardware.Name}` against digital{(quick ? " (--quick)" : "")}");
        sb.AppendLine();
        sb.AppendLine("**kl_paper**: the paper's KL divergence between generated and reference samples over one 50-bin histogram of all coordinates on [−4, 4] (lower is better). " +
            "**Decoded accuracy**: the share of decoded images a classifier trained on real images assigns to the class they were generated for. **Fréchet distance**: FID's formula in that classifier's features (lower is better).");
        sb.AppendLine();
        sb.AppendLine("## Quality");
        sb.AppendLine();
        sb.AppendLine($"| task | metric | digital | analog, mean ± s.e. over {scale.Chips} chips | analog / digital | the paper |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            var kl = run.Over(m => m.KlPaper);
            string paperClaim = "equal quality";
            sb.AppendLine(inv, $"| {run.Title} | kl_paper{(run.Conditional ? " (latents)" : "")} | {run.DigitalQuality!.KlPaper:F4} | {MeanSe(kl)} | {G(kl.Mean / run.DigitalQuality.KlPaper)}× | {paperClaim} |");
            if (run.DigitalImages is { } images)
            {
                var acc = run.Over(m => m.DecodedClassAccuracy);
                var fd = run.Over(m => m.FrechetDistance);
                sb.AppendLine(inv, $"| {run.Title} | decoded accuracy | {images.Pooled.ClassAccuracy:F3} | {MeanSe(acc, "F3")} | {G(acc.Mean / images.Pooled.ClassAccuracy)}× | equal quality |");
                sb.AppendLine(inv, $"| {run.Title} | Fréchet distance | {images.Pooled.FrechetDistance:F3} | {MeanSe(fd, "F3")} | {G(fd.Mean / images.Pooled.FrechetDistance)}× | equal quality |");
            }
        }
        sb.AppendLine();
        sb.AppendLine("## Time and energy per sample");
        sb.AppendLine();
        sb.AppendLine("| task | analog time | digital, one at a time (CPU) | digital, batched (CPU) | speed-up | batched speed-up | arXiv v1 | journal |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        for (int i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            string Paper(int source) => G(run.Conditional ? PaperFigures.SpeedUps[source].Conditional : PaperFigures.SpeedUps[source].Unconditional) + "×";
            sb.AppendLine(inv, $"| {run.Title} | {Units.Time(run.AnalogSeconds)} | {Units.Time(run.Digital.LatencySeconds)} | {Units.Time(run.Digital.ThroughputSeconds)} | {G(run.SpeedUp)}× | {G(run.SpeedUpBatched)}× | {Paper(0)} | {Paper(1)} |");
        }
        sb.AppendLine();
        sb.AppendLine("| task | analog energy | digital, one at a time | digital, batched | energy ratio (digital / analog) | batched | arXiv v1 | journal |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            string Paper(int source) => G(run.Conditional ? PaperFigures.EnergyRatios[source].Conditional : PaperFigures.EnergyRatios[source].Unconditional) + "×";
            sb.AppendLine(inv, $"| {run.Title} | {Units.Energy(run.AnalogJoules)} | {Units.Energy(run.Digital.EnergyPerSampleJoules)} | {Units.Energy(run.Digital.EnergyPerSampleBatchedJoules)} | {G(run.EnergyRatio)}× | {G(run.EnergyRatioBatched)}× | {Paper(0)} | {Paper(1)} |");
        }
        sb.AppendLine();
        sb.AppendLine(inv, $"The paper's own baseline spends {Units.Time(PaperFigures.IedmDigitalSeconds)} on a sample of {PaperFigures.ConditionalSteps} steps (IEDM 2024), {Units.Time(PaperFigures.IedmDigitalSeconds / PaperFigures.ConditionalSteps)} per step: far less than one ONNX Runtime call, so it is an amortised (batched) figure. Compare the paper's ratios with the batched columns; the one-at-a-time columns are what a single-sample request would see.");
        sb.AppendLine();
        var cond = runs.First(r => r.Conditional);
        sb.AppendLine("IEDM 2024 (2-D conditional task, per sample), against ours on the conditional task:");
        sb.AppendLine();
        sb.AppendLine("| | analog time | analog energy | digital time | digital energy |");
        sb.AppendLine("|---|---|---|---|---|");
        sb.AppendLine(inv, $"| IEDM 2024 | {Units.Time(PaperFigures.IedmAnalogSeconds)} | {Units.Energy(PaperFigures.IedmAnalogJoules)} | {Units.Time(PaperFigures.IedmDigitalSeconds)} | {Units.Energy(PaperFigures.IedmDigitalJoules)} |");
        sb.AppendLine(inv, $"| ours | {Units.Time(cond.AnalogSeconds)} | {Units.Energy(cond.AnalogJoules)} | {Units.Time(cond.Digital.LatencySeconds)} | {Units.Energy(cond.Digital.EnergyPerSampleJoules)} |");
        sb.AppendLine();
        sb.AppendLine("## Co-design: hardware-aware training under programming noise");
        sb.AppendLine();
        var models = codesignPlan.Models;
        sb.AppendLine($"| σ | {string.Join(" | ", models.Select(m => $"{m.Name} kl_paper"))} |");
        sb.AppendLine($"|---|{string.Concat(models.Select(_ => "---|"))}");
        foreach (string sigma in codesignPlan.Axes[0].Values)
            sb.AppendLine($"| {sigma} | {string.Join(" | ", models.Select(m => codesign.First(p => p.Model == m && p.Settings[0] == sigma) is { } p ? MeanSe(p.Quality!) : "n/a"))} |");
        sb.AppendLine();
        sb.AppendLine("Plots: `ring/digital/samples.png`, `ring/analog-chip1/samples.png`, `conditional/digital/images.png`, `conditional/analog-chip1/images.png`, `codesign/quality-vs-programming-sigma.png`.");
        sb.AppendLine();
        sb.AppendLine("Assumptions:");
        foreach (var a in assumptions) sb.AppendLine($"- {a}");
        return sb.ToString();
    }
}
