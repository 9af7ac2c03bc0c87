using System.CommandLine;
using System.Globalization;
using System.Text;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary><c>memgrid sweep</c>: quality of several models as programming noise grows, over several chips.</summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "Score networks to compare (repeat the option).", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = Required("--out", "Output directory (sweep.csv, sweep.md).");
        var profile = Make("--profile", "Base hardware profile; its programming noise is replaced at each level.", "ideal");
        var sigmas = Make("--sigmas", "Programming-noise σ levels (truncated-multiplicative, truncation 2σ), comma-separated.", "0,0.05,0.1,0.2,0.3");
        var chips = Make("--chips", "Chips (programming seeds 1…N) per model and level.", 5).Positive();
        var samples = Make("--samples", "Samples per chip.", 2000).Positive();
        var seed = Make<ulong>("--seed", "Seed of the prior and read noise.", 1);
        var command = new Command("sweep", "Programming-noise sweep: kl_paper of each model vs. σ, averaged over chips (the paper's co-design claim).")
        {
            models, output, profile, sigmas, chips, samples, seed,
        };
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(models)!;
            var nets = paths.Select(p => (Path.GetFileNameWithoutExtension(p), OnnxImporter.Load(p))).ToList();
            var levels = parse.GetValue(sigmas)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(token =>
                double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && double.IsFinite(v)
                    ? v : throw new UserInputException($"--sigmas: '{token}' is not a noise level ≥ 0")).ToList();
            var baseProfile = HardwareProfile.Resolve(parse.GetValue(profile)!);
            var task = nets[0].Item2.Metadata.Task;
            if (task.Length == 0) throw new UserInputException($"{paths[0]} names no training task to compare against");
            var reference = TaskSpec.Parse(task).LoadReference(parse.GetValue(seed), 10_000);
            string outDir = parse.GetValue(output)!;
            RunOutputs.PrepareDirectory(outDir);
            var cells = ConsoleProgress.Run("noise sweep", p => NoiseSweep.Run(nets, baseProfile, levels, parse.GetValue(chips), parse.GetValue(samples), reference,
                new AnalogRunOptions { Seed = parse.GetValue(seed) }, p));

            var inv = CultureInfo.InvariantCulture;
            var csv = new StringBuilder("model,sigma,chip,kl_paper\n");
            foreach (var c in cells)
                for (int i = 0; i < c.KlPerChip.Length; i++) csv.AppendLine(inv, $"{c.Model},{c.Sigma},{i + 1},{c.KlPerChip[i]:R}");
            var md = new StringBuilder();
            md.AppendLine(inv, $"kl_paper (mean ± standard error over {parse.GetValue(chips)} chips, {parse.GetValue(samples)} samples each) on `{baseProfile.Name}` with programming noise σ:");
            md.AppendLine();
            md.AppendLine("| σ | " + string.Join(" | ", nets.Select(n => n.Item1)) + " |");
            md.AppendLine("|---|" + string.Concat(nets.Select(_ => "---|")));
            foreach (var sigma in levels)
                md.AppendLine(string.Create(inv, $"| {sigma} | ") + string.Join(" | ", nets.Select(n => cells.First(c => c.Model == n.Item1 && c.Sigma == sigma))
                    .Select(c => string.Create(inv, $"{c.Mean:F3} ± {c.StandardError:F3}"))) + " |");
            RunOutputs.WriteText(outDir, "sweep.csv", csv.ToString());
            RunOutputs.WriteText(outDir, "sweep.md", md.ToString());
            parse.InvocationConfiguration.Output.WriteLine(md.ToString().TrimEnd());
            parse.InvocationConfiguration.Output.WriteLine($"wrote {Path.Combine(outDir, "sweep.csv")}, sweep.md");
            return 0;
        });
        return command;
    }
}
