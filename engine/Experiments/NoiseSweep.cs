using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Experiments;

/// <summary>
/// Sample quality as programming noise grows: every model is programmed onto several chips (chip
/// seeds 1…C) at each σ of the paper's truncated-multiplicative model (truncation at 2σ, as in its
/// training recipe), the rest of the profile unchanged. One chip is one draw of the device
/// variation, so the spread over chips is the quantity of interest, not only the mean.
/// </summary>
public static class NoiseSweep
{
    public sealed record Cell(string Model, double Sigma, double[] KlPerChip)
    {
        public double Mean => KlPerChip.Average();

        /// <summary>Standard error of the mean over chips.</summary>
        public double StandardError => KlPerChip.Length < 2 ? 0
            : Math.Sqrt(KlPerChip.Sum(v => (v - Mean) * (v - Mean)) / (KlPerChip.Length - 1) / KlPerChip.Length);
    }

    public static HardwareProfile WithProgrammingNoise(HardwareProfile profile, double sigma) => profile with
    {
        Device = profile.Device with
        {
            ProgrammingNoise = sigma == 0
                ? new ProgrammingNoiseParameters()
                : new ProgrammingNoiseParameters { Model = ProgrammingNoiseModel.TruncatedMultiplicative, Sigma = sigma, Truncation = 2 * sigma },
        },
    };

    public static List<Cell> Run(IReadOnlyList<(string Name, ScoreNetwork Network)> models, HardwareProfile profile, IReadOnlyList<double> sigmas,
        int chips, int samples, Dataset reference, AnalogRunOptions options, IProgress<double>? progress = null)
    {
        UserInputException.Require(chips >= 1, "chips", $"must be at least 1 (got {chips})");
        UserInputException.Require(sigmas.All(s => s >= 0 && double.IsFinite(s)), "sigmas", "must be finite and ≥ 0");
        var cells = new List<Cell>();
        int done = 0, total = models.Count * sigmas.Count * chips;
        foreach (var sigma in sigmas)
        {
            var noisy = WithProgrammingNoise(profile, sigma);
            foreach (var (name, net) in models)
            {
                if (net.IsConditional) throw new UserInputException($"{name}: the noise sweep scores unconditional models (kl_paper)");
                var kl = new double[chips];
                for (int chip = 0; chip < chips; chip++)
                {
                    var run = ReferenceSimulator.Run(net, noisy, options with { ProgramSeed = (ulong)chip + 1, ScheduleScale = net.Metadata.SamplingScheduleScale }, samples, []);
                    kl[chip] = SampleMetrics.PaperKl(run.Samples, reference.X);
                    progress?.Report((double)++done / total);
                }
                cells.Add(new Cell(name, sigma, kl));
            }
        }
        return cells;
    }
}
