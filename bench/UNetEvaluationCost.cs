using System.Globalization;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Graphs;
using MemristorGrid.Engine.Graphs.Analog;
using MemristorGrid.Engine.Graphs.Import;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Bench;

/// <summary>
/// What one evaluation of one sample of the shipped U-Net (models/unet-digits.onnx) costs, side by side in one
/// process, in CPU time on one thread: ONNX Runtime's digital forward (the denominator), the engine's own float
/// forward pass, and one analog pass through the programmed tiles, periphery, digital unit and DACs on the
/// ideal and rram-180nm presets (<see cref="AnalogGraph.Evaluate"/>). Interleaved, repeated; ratios as min / median / max.
///   dotnet run -c Release --project bench -- unet [--repeats 3] [--batch 32]
/// </summary>
internal static class UNetEvaluationCost
{
    public static int Run(string[] args)
    {
        int repeats = BenchArgs.Int(args, "--repeats", 3), batch = BenchArgs.Int(args, "--batch", 32);
        byte[] bytes = File.ReadAllBytes(Path.Combine(BenchRepo.Root(), "models", "unet-digits.onnx"));
        var graph = GraphImporter.FromBytes(bytes, "unet-digits.onnx");
        int d = graph.InputDim;
        var x = new float[batch * d];
        var t = new float[batch];
        var score = new float[batch * d];
        Streams.Rng(7, StreamPurpose.Reference).FillGaussian(x);
        Streams.Rng(7, StreamPurpose.Reference, 1).FillUniform(t, 0.01f, 1);
        using var ort = new OnnxRuntimeScoreModel(bytes, graph, 1);
        var run = new GraphRun(graph, batch);
        var machines = new[] { "ideal", "rram-180nm" }.Select(p => (Name: p, Machine: new AnalogGraph(graph, HardwareProfile.Resolve(p), 1))).ToList();
        var workspace = new AnalogWorkspace();
        var power = new double[machines.Max(m => m.Machine.Tiles.Length) * batch];
        var contenders = new List<(string Name, Action Call)>
        {
            ("ONNX Runtime", () => ort.Evaluate(x, t, [], score)),
            ("engine forward", () => graph.Forward(x, t, [], score, run)),
        };
        foreach (var (name, machine) in machines)
            contenders.Add(($"analog pass, {name}", () => machine.Evaluate(run, workspace, x, t, [], score, new ReadContext(1, 0, 0, 0), power.AsMemory(0, machine.Tiles.Length * batch))));
        if (BenchArgs.Text(args, "--only") is { } only) contenders.RemoveAll(c => c.Name != "ONNX Runtime" && !c.Name.Contains(only, StringComparison.Ordinal)); // for a profiler
        // Warm-up until the JIT's optimised tier is in: pinned to one core, its background compiler shares the core, and the
        // first repeats ran tier-0 code at 3× the cost.
        foreach (var (_, call) in contenders)
            for (var watch = System.Diagnostics.Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(2);) call();
        // Bytes one call allocates on this thread (a pass should allocate nothing once its buffers exist).
        var allocated = contenders.Select(c => { long before = GC.GetAllocatedBytesForCurrentThread(); c.Call(); return GC.GetAllocatedBytesForCurrentThread() - before; }).ToList();
        var cpu = contenders.Select(_ => new List<double>()).ToList();
        for (int r = 0; r < repeats; r++)
            for (int c = 0; c < contenders.Count; c++)
            {
                int calls = c == 0 ? 20 : 3;
                // This thread's CPU time: every contender computes on the calling thread (ONNX Runtime with one intra-op thread), and
                // the process's time also counted runtime threads that share a pinned core (it tripled the analog passes' medians).
                double start = CpuClock.ThreadSeconds();
                for (int k = 0; k < calls; k++) contenders[c].Call();
                cpu[c].Add((CpuClock.ThreadSeconds() - start) / calls / batch);
            }
        Console.WriteLine($"U-Net (models/unet-digits.onnx, {graph.Nodes.OfType<WeightedNode>().Sum(n => n.OperationsPerSample(graph)) / 1e6:F1} M multiply-accumulates per evaluation), batch {batch}, one thread, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine("| per sample × evaluation | CPU ms (median) | ÷ ONNX Runtime min / median / max | bytes allocated per call |");
        Console.WriteLine("|---|---|---|---|");
        for (int c = 0; c < contenders.Count; c++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {contenders[c].Name} | {cpu[c].Order().ElementAt(cpu[c].Count / 2) * 1e3:F3} | {MinMedianMax.Of(cpu[c].Zip(cpu[0], (a, b) => a / b), "F2")} | {allocated[c]} |"));
        return 0;
    }
}
