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
        sb.AppendLine($"Both samplers, each analog figure the mean ± standard error over {scale.Chips} chips and each ratio to its own sampler's digital figure. " +
            $"**The headline is the SDE's**: {ReproductionText.HeadlineSamplerSource}. The SDE's digital kl is far from the ODE's, so read the absolute figures beside the ratios.");
        sb.AppendLine();
        sb.AppendLine("| task | sampler | metric | digital | analog, mean ± s.e. | analog / digital, mean ± s.e. | the paper |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            var kl = run.Over(m => m.KlPaper);
            double dk = run.DigitalQuality!.KlPaper;
            var ratio = run.Over(m => m.KlPaper / dk);
            string sampler = run.Sampler == ReproductionText.HeadlineSampler ? $"**{run.SamplerName}** (headline)" : run.SamplerName;
            sb.AppendLine(inv, $"| {run.Title} | {sampler} | kl_paper{(run.Conditional ? " (latents)" : "")} | {dk:F4} | {MeanSe(kl)} | {MeanSe(ratio, "F2")}× | equal quality |");
            if (run.DigitalImages is { } images)
            {
                var acc = run.Over(m => m.DecodedClassAccuracy);
                var fd = run.Over(m => m.FrechetDistance);
                var accRatio = run.Over(m => m.DecodedClassAccuracy / images.Pooled.ClassAccuracy);
                var fdRatio = run.Over(m => m.FrechetDistance / images.Pooled.FrechetDistance);
                sb.AppendLine(inv, $"| {run.Title} | {sampler} | decoded accuracy | {images.Pooled.ClassAccuracy:F3} | {MeanSe(acc, "F3")} | {MeanSe(accRatio, "F3")}× | equal quality |");
                sb.AppendLine(inv, $"| {run.Title} | {sampler} | Fréchet distance | {images.Pooled.FrechetDistance:F3} | {MeanSe(fd, "F3")} | {MeanSe(fdRatio, "F2")}× | equal quality |");
            }
        }
        sb.AppendLine();
        sb.AppendLine("## Time and energy per sample");
        sb.AppendLine();
        var probes = runs.SelectMany(r => r.Digital.ProbeSecondsPerRound).ToList();
        string probeRange = probes.Count > 0 ? string.Create(inv, $"{probes.Min():F3}–{probes.Max():F3} s in this run") : "not measured";
        sb.AppendLine(string.Create(inv, $"Digital times are CPU time, each the least of {ReproductionText.TimingRounds} rounds (batch and one at a time interleaved) taken at different moments: before the task's analog chips, after them, and after the co-design sweep (reproduction.json keeps every round). ") +
            "Another tenant of a shared machine only adds CPU time to the same work — a neighbour on the core's caches or memory has slowed ONNX Runtime here by up to 1.6× for 10–20 s at a time — so the least is the closest to the work's own cost. " +
            $"Before each round a fixed loop of 50 million dependent multiply-adds measures the core's own speed: {probeRange}. " +
            "A core running at half speed (a shared VM can, for minutes, without the load average showing it) doubles it and moves every digital time, speed-up and energy ratio by the same factor; the neighbour above does not move it. Compare runs at equal probe times.");
        sb.AppendLine();
        sb.AppendLine("| task | sampler | analog time | digital, one at a time (CPU) | digital, batched (CPU) | batched per step | speed-up | batched speed-up | arXiv v1 | journal |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            string Paper(int source) => G(run.Conditional ? PaperFigures.SpeedUps[source].Conditional : PaperFigures.SpeedUps[source].Unconditional) + "×";
            sb.AppendLine(inv, $"| {run.Title} | {run.SamplerName} | {Units.Time(run.AnalogSeconds)} | {Units.Time(run.Digital.LatencySeconds)} | {Units.Time(run.Digital.ThroughputSeconds)} | {Units.Time(run.Digital.ThroughputSecondsPerStep)} | {G(run.SpeedUp)}× | {G(run.SpeedUpBatched)}× | {Paper(0)} | {Paper(1)} |");
        }
        sb.AppendLine();
        sb.AppendLine("| task | sampler | analog energy | its band | digital, one at a time | digital, batched | energy ratio (digital / analog) | batched | arXiv v1 | journal |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            string Paper(int source) => G(run.Conditional ? PaperFigures.EnergyRatios[source].Conditional : PaperFigures.EnergyRatios[source].Unconditional) + "×";
            string band = run.AnalogJoulesBand is var (low, high) ? $"{Units.Energy(low)} – {Units.Energy(high)}" : "n/a";
            sb.AppendLine(inv, $"| {run.Title} | {run.SamplerName} | {Units.Energy(run.AnalogJoules)} | {band} | {Units.Energy(run.Digital.EnergyPerSampleJoules)} | {Units.Energy(run.Digital.EnergyPerSampleBatchedJoules)} | {G(run.EnergyRatio)}× | {G(run.EnergyRatioBatched)}× | {Paper(0)} | {Paper(1)} |");
        }
        sb.AppendLine();
        sb.AppendLine("The band moves every energy figure of the profile to the low or high end of its own band at once (`memgrid run` on the same model and profile lists each figure with its band and source in report.json's energy_lines); the energy ratios use the value.");
        sb.AppendLine();
        sb.AppendLine(inv, $"The paper's own baseline spends {Units.Time(PaperFigures.IedmDigitalSeconds)} on a sample of {PaperFigures.ConditionalSteps} steps (IEDM 2024), {Units.Time(PaperFigures.IedmDigitalSeconds / PaperFigures.ConditionalSteps)} per step, against the batched per-step column here: far less than one ONNX Runtime call, so it is an amortised (batched) figure. Compare the paper's ratios with the batched columns; the one-at-a-time columns are what a single-sample request would see.");
        sb.AppendLine();
        var cond = runs.First(r => r.Conditional && r.Sampler == ReproductionText.HeadlineSampler);
        sb.AppendLine("IEDM 2024 (2-D conditional task, per sample), against ours on the conditional task (SDE):");
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
        sb.AppendLine("Plots: `ring-sde/digital/samples.png`, `ring-sde/analog-chip1/samples.png`, `conditional-sde/digital/images.png`, `conditional-sde/analog-chip1/images.png` (and the same under `*-ode/`), `codesign/quality-vs-programming-sigma.png`.");
        sb.AppendLine();
        sb.AppendLine("Assumptions:");
        foreach (var a in assumptions) sb.AppendLine($"- {a}");
        return sb.ToString();
    }
}
