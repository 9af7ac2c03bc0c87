using System.Globalization;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Hosting;

namespace MemristorGrid.Bench;

/// <summary>
/// The grain system against the reference simulator in CPU time, side by side in one process: the same
/// job on an embedded silo and on the reference simulator, interleaved and repeated, with the process's
/// CPU time per run (wall time moves with the machine's load; CPU time much less). Each repeat alternates
/// several runs of each side and compares their sums, so that a measurement spans seconds: ring's reference
/// run takes ~0.6 s of wall time, and another tenant's work for a few hundred milliseconds moved a single
/// pair's ratio by a third.
///   dotnet run -c Release --project bench -- ratio [--repeats 3] [--model ring.onnx|fashion.onnx|gmm16.onnx] [--lane-size N (0 = automatic)]
///       [--runs N (pairs per repeat; default 4 for ring, 2 for the others)] [--only grains|reference (one side, for a profiler; no ratio)]
/// </summary>
internal static class GrainCpuRatio
{
    public static async Task<int> RunAsync(string[] args)
    {
        int repeats = BenchArgs.Int(args, "--repeats", 3), laneSize = BenchArgs.Int(args, "--lane-size", 0);
        string? only = BenchArgs.Text(args, "--model");
        string side = BenchArgs.Text(args, "--only") ?? "both";
        if (side is not ("both" or "grains" or "reference")) { Console.Error.WriteLine($"error: --only must be grains or reference (got {side})"); return 2; }
        bool runReference = side != "grains", runGrains = side != "reference";
        string models = Path.Combine(BenchRepo.Root(), "models");
        await using var cluster = await EmbeddedCluster.StartAsync();
        foreach (var (model, profileName, samples, defaultRuns) in new[] { ("ring.onnx", "rram-180nm", 10_000, 4), ("fashion.onnx", "ideal", 2_000, 2), ("gmm16.onnx", "ideal", 2_000, 2) })
        {
            int runs = BenchArgs.Int(args, "--runs", defaultRuns);
            if (only is not null && model != only) continue;
            byte[] bytes = File.ReadAllBytes(Path.Combine(models, model));
            var net = OnnxImporter.FromBytes(bytes, model);
            var profile = HardwareProfile.Resolve(profileName);
            var options = new AnalogRunOptions { ScheduleScale = net.Metadata.SamplingScheduleScale, Seed = 3, LaneSize = laneSize };
            // Warm-up of both paths at full size, twice (tiered JIT reaches its steady state only after a few
            // runs of the large models), not measured.
            for (int w = 0; w < 2; w++)
            {
                if (runReference) ReferenceSimulator.Run(net, profile, options, samples, []);
                if (runGrains) await ClusterJobRunner.RunAsync(cluster.Client, bytes, model, profile, options, samples, []);
            }
            var cpu = new List<double>();
            var wall = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                double refCpu = 0, refWall = 0, grainCpu = 0, grainWall = 0;
                for (int k = 0; k < runs; k++)
                {
                    if (runReference)
                    {
                        var (c, w) = Measure(() => { ReferenceSimulator.Run(net, profile, options, samples, []); return Task.CompletedTask; });
                        refCpu += c; refWall += w;
                    }
                    if (runGrains)
                    {
                        var (c, w) = Measure(() => ClusterJobRunner.RunAsync(cluster.Client, bytes, model, profile, options, samples, []));
                        grainCpu += c; grainWall += w;
                    }
                }
                if (side != "both")
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model} on {profileName}, {samples} samples, repeat {r + 1} ({runs} runs): {side} {refCpu + grainCpu:F2} s CPU ({refWall + grainWall:F2} s wall)"));
                    continue;
                }
                cpu.Add(grainCpu / refCpu);
                wall.Add(grainWall / refWall);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{model} on {profileName}, {samples} samples, repeat {r + 1} ({runs} runs each): reference {refCpu:F2} s CPU ({refWall:F2} s wall), grains {grainCpu:F2} s CPU ({grainWall:F2} s wall)"));
            }
            if (side != "both") continue;
            static string Mmm(List<double> v) => MinMedianMax.Of(v, "F2");
            Console.WriteLine($"| {model} | {profileName} | {samples} | {Mmm(cpu)} | {Mmm(wall)} |");
        }
        return 0;
    }

    private static (double Cpu, double Wall) Measure(Func<Task> run) => ProcessCpu.Measure(() => run().GetAwaiter().GetResult());
}
