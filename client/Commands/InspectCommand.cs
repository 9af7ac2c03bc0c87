using System.CommandLine;
using System.Globalization;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary><c>memgrid inspect</c>: what a model file holds — layers, shapes, embeddings, metadata.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var model = Required("--model", "Score network (.onnx).");
        var seed = Make<ulong>("--program-seed", "Chip seed of the deployment to place.", 1);
        var profileOption = new Option<string?>("--profile") { Description = "Also show how the model maps onto this hardware profile (preset or PATH.json): tiles, chips, links." };
        var cluster = new ClusterOptions();
        var schedule = new ScheduleOptions();
        var scheduleScale = Optional<double>("--schedule-scale", "Sampling β scale of a model whose file does not say.").PositiveIfSet();
        var command = new Command("inspect", "Show a model's layers, shapes and diffusion metadata, and optionally its hardware mapping (and, with --gateway/--redis, which silo runs each chip).\nExample: memgrid inspect --model models/fashion.onnx --profile rram-180nm") { model, profileOption };
        command.Options.Add(cluster.Gateway);
        command.Options.Add(cluster.Redis);
        command.Options.Add(seed);
        foreach (var option in schedule.All()) command.Options.Add(option);
        command.Options.Add(scheduleScale);
        command.SetAction(parse => Inspect(new Arguments(model, seed, profileOption, cluster, schedule, scheduleScale), parse));
        return command;
    }

    private sealed record Arguments(Option<string> Model, Option<ulong> Seed, Option<string?> Profile, ClusterOptions Cluster, ScheduleOptions Schedule, Option<double?> ScheduleScale);

    private static int Inspect(Arguments a, ParseResult parse)
    {
        string path = parse.GetValue(a.Model)!;
        var settings = a.Schedule.Settings(parse, parse.GetValue(a.ScheduleScale));
        var o = parse.InvocationConfiguration.Output;
        byte[] bytes = OnnxImporter.ReadModelBytes(path);
        if (Engine.Graphs.Import.GraphImporter.IsGeneral(bytes)) return InspectGraph(a, parse, o, path, bytes, settings);
        var net = OnnxImporter.FromBytes(bytes, path);
        // A model that carries no schedule is shown as it is, with what to pass; given options are applied and marked.
        string? missing = null;
        if (!settings.IsEmpty || net.Metadata.Origin("sde") == ScheduleSettings.FromFile) net = net.WithMetadata(settings.ApplyTo(net.Metadata, Path.GetFileName(path)));
        else missing = $"not in the file: pass {ScheduleSettings.Help}";
        var m = net.Metadata;
        string Of(string key) => $"[{m.Origin(key)}]";
        string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        o.WriteLine($"model       {path}");
        o.WriteLine($"input       x [N, {net.InputDim}], t [N]{(net.IsConditional ? ", label [N] int64" : "")}  →  score [N, {net.InputDim}]  (bound by type and shape, whatever their names)");
        o.WriteLine($"network     {net.InputDim} → {string.Join(" → ", net.Layers.Select(l => l.Outputs))}  ({net.HiddenLayers} hidden layers, {net.Layers.Sum(l => l.Weights.Length + l.Bias.Length)} weights and biases)");
        for (int i = 0; i < net.Layers.Count; i++)
        {
            var l = net.Layers[i];
            string role = i < net.Layers.Count - 1 ? (net.Activation != HiddenActivation.Relu ? net.Activation switch { HiddenActivation.Silu => "SiLU", HiddenActivation.Gelu => "GELU", _ => "Tanh" }
                : net.Saturation is { } s ? $"ReLU saturating at {F(s)}" : "ReLU") : $"output × gain {F(net.OutputGain)}";
            float maxAbs = l.Weights.Max(MathF.Abs);
            o.WriteLine($"  layer {i}   W [{l.Outputs} × {l.Inputs}], b [{l.Outputs}]  {role}  (max |w| {F(maxAbs)})");
        }
        o.WriteLine($"time emb.   {net.AngularFrequencies.Length} frequencies ω = [{string.Join(", ", net.TimeFrequencies.Select(F))}] → sin/cos(2πωt), added to every hidden layer");
        if (net.IsConditional)
            o.WriteLine($"labels      {net.ClassCount} classes [{string.Join(", ", net.ClassNames.Select(n => n.Contains(',') ? $"\"{n}\"" : n))}] + null label {net.NullLabel} (embedding table [{net.ClassCount + 1} × {net.HiddenWidth}] on the controller, held on the embedding DACs{(m.LabelPath is "" or "Gather" ? "" : $"; tabulated per class from the file's {m.LabelPath}")})");
        else
            o.WriteLine("labels      none (unconditional)");
        if (missing is not null) o.WriteLine($"sde         {missing}");
        else o.WriteLine(m.SdeKind == "vp"
            ? $"sde         VP {Of("sde")}, β_min {F(m.BetaMin)} {Of("beta_min")}, β_max {F(m.BetaMax)} {Of("beta_max")}: β(t) = β_min + t·(β_max − β_min); sampling schedule scale {F(m.SamplingScheduleScale)} {Of("schedule_scale")}"
            : $"sde         VE {Of("sde")}, σ_min {F(m.SigmaMin)} {Of("sigma_min")}, σ_max {F(m.SigmaMax)} {Of("sigma_max")}; sampling schedule scale {F(m.SamplingScheduleScale)} {Of("schedule_scale")}");
        o.WriteLine($"task        {(m.Task.Length > 0 ? m.Task : "(not recorded)")}{(m.TaskSha256.Length > 0 ? $"  sha256 {m.TaskSha256}" : "")}{(m.TaskFileOutsideModelFolder is not null ? "  (outside the model's folder: not read)" : "")}");
        foreach (var (key, value) in m.Provenance.OrderBy(p => p.Key, StringComparer.Ordinal))
            o.WriteLine($"  {key,-24} {value}");
        Engine.Latent.VaeModel? vae = null;
        if (m.TaskFileOutsideModelFolder is null && Engine.Runs.ImageDecoding.VaePathOf(m) is { } vaePath)
        {
            vae = Engine.Latent.VaeModel.Load(vaePath);
            o.WriteLine($"vae         {vae.ImageWidth} × {vae.ImageHeight} images of {vae.Data} [{string.Join(", ", vae.ClassNames)}]; decoder {string.Join(" → ", vae.Decoder.Widths)} (sigmoid); latent × {F(vae.Prior.Scale)}, prior radius {F(vae.Prior.Radius)}; metrics classifier {F(vae.Classifier.TestAccuracy)} on held-out real images");
        }
        WriteMapping(a, parse, o, path, vae);
        return 0;
    }

    private static int InspectGraph(Arguments a, ParseResult parse, TextWriter o, string path, byte[] bytes, ScheduleSettings settings)
    {
        var graph = Engine.Graphs.Import.GraphImporter.FromBytes(bytes, path);
        bool fromFile = graph.Metadata.Origin("sde") == ScheduleSettings.FromFile;
        var m = !settings.IsEmpty || fromFile ? settings.ApplyTo(graph.Metadata, Path.GetFileName(path)) : graph.Metadata;
        var profile = parse.GetValue(a.Profile) is { } name ? HardwareProfile.Resolve(name) : null;
        Output.GraphInspect.Write(o, path, graph, m, !settings.IsEmpty || fromFile ? null : $"not in the file: pass {ScheduleSettings.Help}", profile);
        return 0;
    }

    /// <summary>With --profile: how the model maps onto the hardware (tiles, chips, links, placement, IR drop).</summary>
    private static void WriteMapping(Arguments a, ParseResult parse, TextWriter o, string path, Engine.Latent.VaeModel? vae)
    {
        static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        if (parse.GetValue(a.Profile) is not { } profileName) return;
        var profile = HardwareProfile.Resolve(profileName);
        o.WriteLine();
        o.WriteLine($"profile     {profile.Name}: {profile.Description}");
        var d = profile.Device;
        if (d.Name.Length > 0) o.WriteLine($"device      {d.Name}{(d.Source.Length > 0 ? $": {d.Source}" : "")}");
        o.WriteLine($"devices     G ∈ [{F(d.GMinMicrosiemens)}, {F(d.GMaxMicrosiemens)}] µS, {(d.Levels is { } levels ? $"{levels} levels" : "continuous")}, programming noise {d.ProgrammingNoise.Model}{(d.ProgrammingNoise.Model == "none" ? "" : $" σ {F(d.ProgrammingNoise.Sigma)}")}, read noise σ {F(d.ReadNoiseSigma)}");
        o.WriteLine($"loop        RC {F(profile.Integrator.TimeConstantSeconds * 1e6)} µs, controller {(profile.Controller.UpdatePeriodSeconds > 0 ? $"updates every {F(profile.Controller.UpdatePeriodSeconds * 1e9)} ns" : "continuous")}");
        var (plan, placement) = a.Cluster.PlacementAsync(parse, File.ReadAllBytes(path), Path.GetFileName(path), profile, parse.GetValue(a.Seed)).GetAwaiter().GetResult();
        o.Write(plan);
        foreach (var chip in placement.GroupBy(p => p.Chip).OrderBy(g => g.Key))
            o.WriteLine($"chip {chip.Key,-6} → silo {string.Join(", ", chip.Select(p => p.Silo).Distinct())} ({chip.Count()} tiles)");
        WriteIrDropAdvice(o, profile);
        if (vae is not null)
        {
            var decoderPlan = Engine.Latent.AnalogDecoder.PlanFor(vae, profile.Mapping);
            o.WriteLine($"--decoder analog adds {decoderPlan.Tiles.Count} tiles on {decoderPlan.ChipCount} chip(s) for the VAE decoder");
        }
    }

    private static void WriteIrDropAdvice(TextWriter o, HardwareProfile profile)
    {
        var sizes = Engine.Crossbars.IrDropAdvice.ForProfile(profile);
        if (sizes.Count == 0) return;
        static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        var w = profile.Wires;
        o.WriteLine($"IR drop     word line {F(w.WordLineOhmsPerCell)} Ω/cell, bit line {F(w.BitLineOhmsPerCell)} Ω/cell, driver {F(w.DriverOhms)} Ω, TIA input {F(w.TiaInputOhms)} Ω{(w.ResistanceScale != 1 ? $", all × {F(w.ResistanceScale)}" : "")}; solver {w.Solver.ToString().ToLowerInvariant()}, {(w.Evaluation == Engine.Profiles.WireEvaluation.Superposition ? "superposition" : "per sample")}");
        o.WriteLine($"  worst case per tile size (every cell at {F(profile.Device.GMaxMicrosiemens)} µS, every input at {F(profile.Dac.FullScaleVolts)} V):");
        o.WriteLine("  tile        worst column   linearised bound (of full scale)   auto path");
        foreach (var s in sizes)
            o.WriteLine($"  {$"{s.Rows} × {s.Cols}",-11} {"−" + (s.WorstColumnError * 100).ToString("0.###", CultureInfo.InvariantCulture) + " %",-14} {s.LinearErrorBound.ToString("0.###E+0", CultureInfo.InvariantCulture),-34} {s.AutoPath}{(s.Rows == profile.Mapping.TileRows ? "   ← this profile's tiles" : "")}");
    }
}
