using System.CommandLine;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Runs;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// <c>memgrid compare</c>: the digital baseline (ONNX Runtime in the paper's Euler loop) and the analog
/// machine on the same model and seed, side by side (<see cref="Comparison"/>). The digital time is CPU time,
/// measured batched (throughput) and one sample at a time (latency, like the analog loop's); its energy is the
/// package energy counter (Linux powercap/RAPL) when the machine exposes it, else time × a named platform's power.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var args = new AnalogRunArguments();
        var simulator = new AnalogSimulator();
        var steps = Make("--steps", "Digital sampler steps from t = 1 to 1e-4.", 1000).Positive();
        var platform = Make("--platform", $"Digital platform the baseline's energy is charged to when no energy counter is readable: {string.Join(", ", DigitalPlatform.Presets.Select(p => p.Name))} (sources in compare.md).", DigitalPlatform.PaperEdge);
        platform.AcceptOnlyFromAmong(DigitalPlatform.Presets.Select(p => p.Name).ToArray());
        var cpuWatts = Optional<double>("--cpu-watts", "Power of one busy CPU core (W); replaces --platform.").PositiveIfSet();
        var latencySamples = Make("--latency-samples", "Fewest samples generated one at a time to measure the digital latency (more until 1 s of CPU time, at most --samples).", 4).Positive();
        var threads = Make("--threads", "ONNX Runtime intra-op threads for the digital baseline.", 1).Positive();
        var command = new Command("compare", "Digital baseline vs. analog machine on the same model and seed: quality, time and energy per sample, speed-up.\nExample: memgrid compare --model models/ring.onnx --profile rram-180nm --samples 2000 --out out/compare");
        foreach (var o in args.All().Concat(simulator.All()).Concat([steps, platform, cpuWatts, latencySamples, threads])) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            var request = args.Request(parse, CommandLine(parse));
            var settings = new CompareSettings(parse.GetValue(steps), parse.GetValue(threads), parse.GetValue(latencySamples),
                parse.GetValue(cpuWatts) is { } w ? DigitalPlatform.CpuCore(w) : DigitalPlatform.Resolve(parse.GetValue(platform)!));
            Comparison.DigitalOptions(request, settings.Steps);
            string outDir = parse.GetValue(args.Output)!;
            using var claim = RunOutputs.ClaimDirectory(outDir);
            await using var machine = simulator.Open(parse);
            var outcome = await Comparison.RunAsync(request, settings, new RunPipeline(machine, ConsoleWorkProgress.Instance), ConsoleWorkProgress.Instance, cancel);
            Write(outDir, outcome);
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine(CompareMarkdown.Table(outcome.Report));
            o.WriteLine("assumptions:");
            foreach (var line in outcome.Report.Assumptions) o.WriteLine($"  - {line}");
            o.WriteLine($"wrote {Path.Combine(outDir, "compare.json")}, compare.md, analog/, digital/");
            return 0;
        });
        return command;
    }

    /// <summary>analog/ (the run's own files), digital/ (its samples and plots), compare.json and compare.md.</summary>
    private static void Write(string outDir, CompareOutcome outcome)
    {
        var r = outcome.Analog.Request;
        var analogDir = Path.Combine(outDir, "analog");
        RunOutputs.PrepareDirectory(analogDir);
        RunWriter.Write(analogDir, outcome.Analog);
        var digitalDir = Path.Combine(outDir, "digital");
        RunOutputs.PrepareDirectory(digitalDir);
        var digital = outcome.Digital.Batch;
        string title = $"{r.ModelName} — digital baseline ({(r.Options.Kind == SamplerKind.Ode ? "ode" : "sde")}, {outcome.DigitalOptions.Steps} steps)";
        if (outcome.DigitalImages is { } images) LatentImages.Write(digitalDir, title, images, digital.Labels);
        RunOutputs.WriteSamples(digitalDir, digital.Samples, digital.Dim, digital.Labels, r.Network.ClassNames);
        RunOutputs.WritePng(digitalDir, "samples.png", ScatterPlot.Render(title, digital.Samples, digital.Labels, r.Reference?.Data.X ?? [], digital.Dim, r.Network.ClassNames, r.Reference?.Data.Labels));
        RunWriter.WriteProfile(outDir, r.StatedProfile);
        RunOutputs.WriteText(outDir, "compare.json", ReportJson.Serialize(outcome.Report));
        RunOutputs.WriteText(outDir, "compare.md", CompareMarkdown.Render(outcome.Report));
    }
}
