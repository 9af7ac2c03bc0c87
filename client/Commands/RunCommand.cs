using System.CommandLine;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Client.Commands;

/// <summary><c>memgrid run</c>: generate samples on the simulated analog machine (parse → request → pipeline → write).</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var args = new AnalogRunArguments();
        var simulator = new AnalogSimulator();
        var command = new Command("run", "Program the model onto a simulated RRAM deployment and generate samples by analog-time integration on the grain cluster (an embedded silo unless --gateway or --redis is given).\nExample: memgrid run --model models/ring.onnx --profile rram-180nm --samples 10000 --out out/ring");
        foreach (var o in args.All().Concat(simulator.All())) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            if (Engine.Graphs.Import.GraphImporter.IsGeneral(Engine.Onnx.OnnxImporter.ReadModelBytes(parse.GetValue(args.Model)!)))
                return await GraphRunner.RunAsync(args, simulator, parse, cancel);
            var request = args.Request(parse, CommandOptions.CommandLine(parse));
            string outDir = parse.GetValue(args.Output)!;
            using var claim = RunOutputs.ClaimDirectory(outDir);
            await using var machine = simulator.Open(parse);
            var outcome = await new RunPipeline(machine, ConsoleWorkProgress.Instance) { ScoresOnMachine = true }.RunAsync(request, cancel);
            RunWriter.Write(outDir, outcome);
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine(RunWriter.Summary(outcome));
            o.WriteLine($"wrote {Path.Combine(outDir, "samples.csv")}, report.json, report.md, profile.json, samples.png, tiles.png{(outcome.Images is not null ? ", images.png" : "")}");
            return 0;
        });
        return command;
    }
}
