using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Engine.Spice;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>The options of <c>memgrid spice</c>.</summary>
internal sealed class SpiceArguments
{
    public readonly Option<string> Model = Required("--model", "Score network (.onnx).");
    public readonly Option<string> Output = Required("--out", "Output directory (netlists, ngspice logs and tables, spice.json, spice.md, trajectories.png).");
    public readonly Option<string> Profile = Make("--profile", $"Hardware profile: {string.Join(", ", HardwareProfile.Presets)} or PATH.json (its read noise is left out: a random draw has no circuit).", "rram-180nm");
    public readonly Option<int> Chips = Make("--chips", "Chips to compare: program seeds --program-seed, +1, … (each its own programming, faults and offsets).", 2).Positive();
    public readonly Option<int> Starts = Make("--starts", "Start points per chip: samples 0, 1, … of the prior under --seed.", 3).Positive();
    public readonly Option<ulong> Seed = Make<ulong>("--seed", "Seed of the prior the start points are drawn from.", 1);
    public readonly Option<ulong> ProgramSeed = Make<ulong>("--program-seed", "First chip's seed.", 1);
    public readonly Option<double> EndTime = Make("--end-time", "Diffusion time τ where the loop stops (from τ = 1).", 1e-4);
    public readonly ScheduleOptions Schedule = new();

    public IEnumerable<Option> All() => [Model, Output, Profile, Chips, Starts, Seed, ProgramSeed, EndTime, .. Schedule.All()];
}

/// <summary>
/// <c>memgrid spice</c>: the simulator's closed loop checked against Debian's ngspice. Writes one netlist per chip and start
/// point, runs ngspice on each, and compares the integrator trajectories and the arrays' power.
/// </summary>
internal static class SpiceCommand
{
    /// <summary>Chips × start points a command may ask for (each is one ngspice transient).</summary>
    public const int MaxCircuits = 64;

    public static Command Create()
    {
        var a = new SpiceArguments();
        var command = new Command("spice", "Write the deployment's closed loop as ngspice netlists (every device, TIAs, activations, integrators, held DACs), run ngspice and compare its trajectories and array power with the simulator's.\nExample: memgrid spice --model models/ring.onnx --profile rram-180nm --out out/ring-spice");
        foreach (var o in a.All()) command.Options.Add(o);
        command.SetAction((parse, cancel) =>
        {
            int chips = parse.GetValue(a.Chips), starts = parse.GetValue(a.Starts);
            if ((long)chips * starts > MaxCircuits) throw UserInputException.ForSetting("chips", $"× --starts is {(long)chips * starts} circuits; at most {MaxCircuits}");
            string modelPath = parse.GetValue(a.Model)!;
            var (_, net, _) = a.Schedule.Load(parse, modelPath);
            var stated = HardwareProfile.Resolve(parse.GetValue(a.Profile)!);
            var options = new AnalogRunOptions { Seed = parse.GetValue(a.Seed), EndTime = parse.GetValue(a.EndTime), ScheduleScale = net.Metadata.SamplingScheduleScale };
            var profile = SpiceReference.Designed(net, stated with { Device = stated.Device with { ReadNoiseSigma = 0 } }, options);
            SpiceReference.Check(net, profile, options);
            ulong first = parse.GetValue(a.ProgramSeed);
            var seeds = Enumerable.Range(0, chips).Select(i => first + (ulong)i).ToArray();
            var samples = Enumerable.Range(0, starts).Select(i => (long)i).ToArray();
            string outDir = parse.GetValue(a.Output)!;
            var error = parse.InvocationConfiguration.Error;
            if (Ngspice.Locate() is null) throw new UserInputException("ngspice is not on PATH (Debian: apt-get install ngspice)");
            using var claim = RunOutputs.ClaimDirectory(outDir);
            var comparison = SpiceReference.Compare(net, profile, options, seeds, samples, outDir, cancel: cancel);
            string title = $"{Path.GetFileName(modelPath)} on {profile.Name}: simulator against ngspice";
            RunOutputs.WriteText(outDir, "spice.json", Json(comparison, modelPath, stated));
            RunOutputs.WriteText(outDir, "spice.md", Markdown(comparison, title, stated.Device.ReadNoiseSigma));
            RunOutputs.WritePng(outDir, "trajectories.png", TrajectoryPlot.Render(title, comparison));
            parse.InvocationConfiguration.Output.WriteLine(Summary(comparison, outDir));
            return Task.FromResult(0);
        });
        return command;
    }

    private static string Summary(SpiceComparison c, string outDir)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = c.Runs.Select(r => string.Create(inv,
            $"chip {r.ProgramSeed} sample {r.Sample}: trajectory RMS error {r.RmsErrorOfFullScale:P3} of full scale (max {r.MaxErrorUnits:G3} units, end point {r.EndErrorUnits:G3}); array power {r.SpiceArrayPowerWatts * 1e6:F2} µW ngspice, {r.SimulatedCellPowerWatts * 1e6:F2} µW simulated ({Signed(r.PowerRatio - 1)}); ngspice {r.SpiceSeconds:F1} s"))
            .ToList();
        lines.Add(string.Create(inv, $"worst: RMS {c.WorstRmsErrorOfFullScale:P3} of full scale ({c.FullScaleUnits:G3} units), power {c.WorstPowerDeviation:P1}"));
        lines.Add($"wrote {Path.Combine(outDir, "spice.md")}, spice.json, trajectories.png and {c.Runs.Count} netlists");
        return string.Join('\n', lines);
    }

    private static string Signed(double fraction) => (fraction < 0 ? "−" : "+") + Math.Abs(fraction).ToString("P2", CultureInfo.InvariantCulture);

    private static string Markdown(SpiceComparison c, string title, double statedReadNoise)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# {title}");
        sb.AppendLine();
        sb.AppendLine("Each row is one chip (program seed: its programming noise, faults and integrator offsets) and one start point, integrated by the simulator and by ngspice from the same netlist inputs. Errors are over the integrator outputs at every controller update; full scale is the integrator's rail.");
        sb.AppendLine();
        sb.AppendLine("| chip | start (sample) | RMS error / full scale | max error (units) | end-point distance (units) | array power ngspice (µW) | cell power simulator (µW) | power difference | ngspice time (s) | netlist |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in c.Runs)
            sb.AppendLine(inv, $"| {r.ProgramSeed} | {r.Sample} | {r.RmsErrorOfFullScale:P3} | {r.MaxErrorUnits:G3} | {r.EndErrorUnits:G3} | {r.SpiceArrayPowerWatts * 1e6:F2} | {r.SimulatedCellPowerWatts * 1e6:F2} | {Signed(r.PowerRatio - 1)} | {r.SpiceSeconds:F1} | {r.Netlist} |");
        sb.AppendLine();
        sb.AppendLine(inv, $"Full scale: ±{c.FullScaleUnits:G4} units (integrator.saturation_volts). Array power in ngspice is what the row drivers deliver (cells, wires, driver resistance); the simulator's is the cells' alone.");
        sb.AppendLine(inv, $"Op-amp bias power ({c.OpampBiasPowerWatts * 1e3:F3} mW: TIAs, activations, integrators) is the same bandwidth-derived figure in both and is not compared: a macromodel draws no bias current.");
        if (statedReadNoise > 0)
            sb.AppendLine(inv, $"The profile's read noise (σ {statedReadNoise}) is off in both: it is a random draw per update, with no circuit equivalent.");
        sb.AppendLine("What the netlist models and what it does not: docs/hardware-model.md, \"SPICE reference\".");
        return sb.ToString();
    }

    private static string Json(SpiceComparison c, string modelPath, HardwareProfile stated) => JsonSerializer.Serialize(new
    {
        model = Path.GetFullPath(modelPath),
        profile = stated.Name,
        read_noise_sigma_left_out = stated.Device.ReadNoiseSigma,
        full_scale_units = c.FullScaleUnits,
        opamp_bias_power_watts = c.OpampBiasPowerWatts,
        worst_rms_error_of_full_scale = c.WorstRmsErrorOfFullScale,
        worst_power_deviation = c.WorstPowerDeviation,
        runs = c.Runs.Select(r => new
        {
            program_seed = r.ProgramSeed, sample = r.Sample, netlist = r.Netlist,
            rms_error_of_full_scale = r.RmsErrorOfFullScale, max_error_units = r.MaxErrorUnits, end_error_units = r.EndErrorUnits,
            spice_array_power_watts = r.SpiceArrayPowerWatts, simulated_cell_power_watts = r.SimulatedCellPowerWatts, ngspice_seconds = r.SpiceSeconds,
            times_seconds = r.Times, simulated_units = r.Simulated, spice_units = r.Spice,
        }),
    }, new JsonSerializerOptions { WriteIndented = true });
}
