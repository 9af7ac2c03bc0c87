using System.CommandLine;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine.Experiments;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// <c>memgrid sweep</c>: a design-space sweep (<see cref="SweepExperiment"/>). Every model × every combination of the
/// swept profile keys × chips 1…C is one generation job on the analog machine; finished cells are kept in
/// <c>OUT/cells/</c>, so running the same command again resumes the sweep.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var args = new SweepArguments();
        var simulator = new AnalogSimulator();
        var command = new Command("sweep", """
            Design-space sweep on the grain cluster (an embedded silo unless --gateway or --redis is given): quality, energy and time per sample of every model at every combination of the swept profile keys, over several chips.
            Example: memgrid sweep --model models/ring.onnx --set device.programming_noise.sigma=0,0.05,0.1 --set mapping.tile_rows=32,64 --chips 3 --out sweeps/ring
            """);
        foreach (var o in args.All().Concat(simulator.All())) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            var request = SweepRequest.Create(args.Spec(parse), parse.InvocationConfiguration.Error.WriteLine);
            string outDir = parse.GetValue(args.Output)!;
            using var claim = RunOutputs.ClaimDirectory(outDir);
            var o = parse.InvocationConfiguration.Output;
            await using var machine = simulator.Open(parse);
            var outcome = await SweepExperiment.RunAsync(request, outDir, machine, ConsoleWorkProgress.Instance, o.WriteLine, parse.GetValue(args.Parallel), cancel);
            var report = new SweepReport(outcome);
            var plots = Write(outDir, report, request.BaseProfile);
            o.WriteLine(report.Markdown().TrimEnd());
            o.WriteLine($"wrote {Path.Combine(outDir, "sweep.csv")}, sweep.json, sweep.md, {string.Join(", ", plots)}");
            return 0;
        });
        return command;
    }

    /// <summary>sweep.csv, sweep.json, sweep.md, the base profile and the plots; returns the plots' names.</summary>
    private static List<string> Write(string outDir, SweepReport report, Engine.Profiles.HardwareProfile baseProfile)
    {
        RunOutputs.WriteText(outDir, "sweep.csv", report.Csv());
        RunOutputs.WriteReport(outDir, report.Json(), "sweep.json");
        RunOutputs.WriteText(outDir, "sweep.md", report.Markdown());
        RunWriter.WriteProfile(outDir, baseProfile);
        var plots = report.PlotNames().ToList();
        for (int a = 0; a < plots.Count - 1; a++) RunOutputs.WritePng(outDir, plots[a], SweepPlots.QualityVersus(report.Plan, report.Points, a, report.Metric));
        RunOutputs.WritePng(outDir, plots[^1], SweepPlots.Pareto(report.Plan, report.Points, report.Metric));
        return plots;
    }
}
