using System.CommandLine;
using System.Globalization;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// <c>memgrid reproduce</c>: the paper's experiment end to end (<see cref="Reproduction"/>): ring and the conditional
/// latent task, digital against the analog machine on several chips, the co-design sweep, and time, energy, speed-up and
/// energy ratio beside every figure the paper reports. Analog runs are sweep cells kept under OUT, so a re-run resumes.
/// </summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var output = Required("--out", "Output directory: reproduction.md, reproduction.json, plots, and each part's kept cells.");
        var quick = new Option<bool>("--quick") { Description = "A few minutes' worth: fewer samples, steps, chips and σ values (the report says which)." };
        var ring = Make("--ring", "The unconditional model (the paper's ring).", "models/ring.onnx");
        var noiseless = Make("--ring-noiseless", "The ring model trained without weight noise, for the co-design sweep.", "models/ring-noiseless.onnx");
        var conditional = Make("--conditional", "The conditional model (latent diffusion through a VAE, trained with --task latent:).", "models/digits3.onnx");
        var profile = Make("--profile", $"Hardware profile of the analog machine: {string.Join(", ", HardwareProfile.Presets)} or PATH.json.", "rram-180nm");
        var chips = Optional<int>("--chips", "Chips (programming seeds 1…N) per analog configuration (default 5; 2 with --quick).").PositiveIfSet();
        var platform = Make("--platform", $"Digital platform the baseline's energy is charged to: {string.Join(", ", DigitalPlatform.Presets.Select(p => p.Name))}.", DigitalPlatform.PaperEdge);
        platform.AcceptOnlyFromAmong(DigitalPlatform.Presets.Select(p => p.Name).ToArray());
        var seed = Make<ulong>("--seed", "Seed of the prior, read noise and SDE noise.", 1);
        var simulator = new AnalogSimulator();
        var command = new Command("reproduce", """
            The paper's experiment end to end: ring and the conditional latent task, digital against analog over several chips, the co-design sweep, and time, energy, speed-up and energy ratio beside the paper's figures.
            Example: memgrid reproduce --quick --out reproduction
            """)
        { output, quick, ring, noiseless, conditional, profile, chips, platform, seed };
        foreach (var o in simulator.All()) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            var scale = parse.GetValue(quick) ? ReproductionScale.Quick : ReproductionScale.Full;
            if (parse.GetValue(chips) is { } c) scale = scale with { Chips = c };
            var spec = new ReproductionSpec(Load(parse.GetValue(ring)!, "ring"), Load(parse.GetValue(noiseless)!, "ring-noiseless"), Load(parse.GetValue(conditional)!, "conditional"), HardwareProfile.Resolve(parse.GetValue(profile)!),
                DigitalPlatform.Resolve(parse.GetValue(platform)!), scale, parse.GetValue(quick), parse.GetValue(seed), CommandLine(parse)).Checked();
            string outDir = parse.GetValue(output)!;
            using var claim = RunOutputs.ClaimDirectory(outDir);
            var o = parse.InvocationConfiguration.Output;
            await using var machine = simulator.Open(parse);
            o.WriteLine(Header(spec, machine.Description));
            var outcome = await new Reproduction(spec, machine, ConsoleWorkProgress.Instance, o.WriteLine, Keep).RunAsync(outDir, cancel);
            o.WriteLine(Write(outDir, outcome).TrimEnd());
            o.WriteLine($"wrote {Path.Combine(outDir, "reproduction.md")}, reproduction.json, ring-sde/, ring-ode/, conditional-sde/, conditional-ode/, codesign/");
            return 0;
        });
        return command;
    }

    /// <summary>reproduction.md (returned), reproduction.json, the profile and the co-design plot.</summary>
    private static string Write(string outDir, ReproductionOutcome outcome)
    {
        RunOutputs.WritePng(Path.Combine(outDir, "codesign"), "quality-vs-programming-sigma.png", SweepPlots.QualityVersus(outcome.CodesignPlan, outcome.Codesign, 0, SweepMetric.KlPaper));
        string markdown = ReproductionMarkdown.Render(outcome);
        RunOutputs.WriteText(outDir, "reproduction.md", markdown);
        RunOutputs.WriteReport(outDir, ReproductionReport.Json(outcome), "reproduction.json");
        RunWriter.WriteProfile(outDir, outcome.Spec.Hardware);
        return markdown;
    }

    private static string Header(ReproductionSpec spec, string where)
    {
        var s = spec.Scale;
        return $"reproduce{(spec.Quick ? " --quick" : "")}: ring {s.RingSamples} samples ({s.RingSteps} digital steps), {spec.Conditional.Name} {s.ConditionalPerClass} per class ({s.ConditionalSteps} steps), " +
            $"{s.Chips} chip(s) on {spec.Hardware.Name}, co-design σ ∈ {{{string.Join(", ", s.Sigmas.Select(v => v.ToString(CultureInfo.InvariantCulture)))}}}; analog runs on the {where}";
    }

    /// <summary>A side's samples, scatter plot and (latent models) decoded images, in their own folder.</summary>
    private static void Keep(KeptSamples k)
    {
        RunOutputs.PrepareDirectory(k.Dir);
        var names = k.Model.Network.ClassNames;
        RunOutputs.WriteSamples(k.Dir, k.Samples, k.Dim, k.Labels, names);
        RunOutputs.WritePng(k.Dir, "samples.png", ScatterPlot.Render(k.Title, k.Samples, k.Labels, k.Reference.X, k.Dim, names, k.Reference.Labels));
        if (k.Images is { } images) LatentImages.Write(k.Dir, k.Title, images, k.Labels);
    }

    private static SweepModel Load(string path, string setting)
    {
        UserInputException.Require(File.Exists(path), setting, $"{path}: no such model file (run from the repository root, or pass --{setting} PATH.onnx)");
        byte[] bytes = OnnxImporter.ReadModelBytes(path);
        var net = OnnxImporter.FromBytes(bytes, path);
        return new SweepModel(Path.GetFileName(path), bytes, net.WithMetadata(new ScheduleSettings().ApplyTo(net.Metadata, Path.GetFileName(path))));
    }
}
