using System.Globalization;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Bench;

/// <summary>
/// What one network evaluation of one sample costs, side by side in one process, in CPU time:
///  1. the engine's own forward pass (<see cref="ScoreNetwork.Forward"/>) against ONNX Runtime (1 thread) on
///     the same batch, at 512 and 10 000 samples;
///  2. a whole analog run on the reference simulator (CPU per sample × network evaluation, counted by
///     the run) against the digital baseline's sampler on ONNX Runtime (CPU per sample × step), both on
///     one thread: two lanes at once on this 2-vCPU VM cost ~25 % more CPU per evaluation than one, which
///     is the machine's, not the simulator's.
/// Runs are interleaved and repeated; each ratio is printed as min / median / max.
///   dotnet run -c Release --project bench -- evaluation [--repeats 3] [--forward-only] [--analog-only] [--model ring.onnx|fashion.onnx]
///       [--profile ideal|rram-180nm] (the last three pick analog rows, e.g. one to profile)
/// </summary>
internal static class EvaluationCost
{
    public static int Run(string[] args)
    {
        int repeats = BenchArgs.Int(args, "--repeats", 3);
        string models = Path.Combine(BenchRepo.Root(), "models");

        string? onlyModel = BenchArgs.Text(args, "--model"), onlyProfile = BenchArgs.Text(args, "--profile");
        if (onlyModel is not (null or "ring.onnx" or "fashion.onnx") || onlyProfile is not (null or "ideal" or "rram-180nm"))
        {
            Console.Error.WriteLine($"error: --model picks ring.onnx or fashion.onnx and --profile ideal or rram-180nm (got {onlyModel ?? "-"}, {onlyProfile ?? "-"})");
            return 2;
        }
        if (!args.Contains("--analog-only"))
        {
            Console.WriteLine("| forward pass (ring) | batch | engine µs per call | ONNX Runtime µs per call | engine / ORT min / median / max |");
            Console.WriteLine("|---|---|---|---|---|");
            byte[] bytes = File.ReadAllBytes(Path.Combine(models, "ring.onnx"));
            var net = OnnxImporter.FromBytes(bytes, "ring.onnx");
            var engine = new NetworkScoreModel(net);
            using var ort = new OnnxRuntimeScoreModel(bytes, net, 1);
            foreach (int batch in new[] { 512, 10_000 })
            {
                var x = new float[batch * net.InputDim];
                var t = new float[batch];
                var score = new float[batch * net.InputDim];
                Streams.Rng(7, StreamPurpose.Reference).FillGaussian(x);
                Streams.Rng(7, StreamPurpose.Reference, 1).FillUniform(t, 0, 1);
                int calls = Math.Max(20, 4_000_000 / batch);
                engine.Evaluate(x, t, [], score); // warm-up (JIT, packing, buffers)
                ort.Evaluate(x, t, [], score);
                var e = new List<double>();
                var o = new List<double>();
                for (int r = 0; r < repeats; r++)
                {
                    e.Add(Cpu(() => { for (int c = 0; c < calls; c++) engine.Evaluate(x, t, [], score); }) / calls);
                    o.Add(Cpu(() => { for (int c = 0; c < calls; c++) ort.Evaluate(x, t, [], score); }) / calls);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| ring | {batch} | {Median(e) * 1e6:F1} | {Median(o) * 1e6:F1} | {MinMedianMax.Of(e.Zip(o, (a, b) => a / b), "F2")} |"));
            }
        }

        if (args.Contains("--forward-only")) return 0;
        Console.WriteLine();
        Console.WriteLine("| analog run | samples × runs | analog ns per sample × evaluation | ONNX Runtime ns per sample × step | analog / ORT min / median / max |");
        Console.WriteLine("|---|---|---|---|---|");
        // Runs per measurement: a ring run on `ideal` takes ~0.1 s, too short a window for CPU time on a
        // shared machine, so each measurement repeats the run until it spans about a second.
        foreach (var (model, profileName, samples, runs) in new[] { ("ring.onnx", "ideal", 10_000, 8), ("ring.onnx", "rram-180nm", 10_000, 2), ("fashion.onnx", "ideal", 2_000, 2) })
        {
            if ((onlyModel is not null && onlyModel != model) || (onlyProfile is not null && onlyProfile != profileName)) continue;
            byte[] bytes = File.ReadAllBytes(Path.Combine(models, model));
            var net = OnnxImporter.FromBytes(bytes, model);
            var profile = HardwareProfile.Resolve(profileName);
            using var ort = new OnnxRuntimeScoreModel(bytes, net, 1);
            var analogOptions = new AnalogRunOptions { ScheduleScale = net.Metadata.SamplingScheduleScale, Seed = 3 };
            var digitalOptions = new SamplerOptions { Kind = SamplerKind.Ode, Steps = 200, ScheduleScale = net.Metadata.SamplingScheduleScale, Seed = 3, BatchSize = samples };
            // Warm-up at full size, four times (tiered JIT: the first runs execute unoptimised code, and the
            // large model's run took four to reach its steady state), not measured.
            for (int w = 0; w < 4; w++)
            {
                ReferenceSimulator.Run(net, profile, analogOptions, samples, [], threads: 1);
                DigitalSampler.Sample(ort, net.Metadata.CreateSde(), samples, [], digitalOptions);
            }
            var a = new List<double>();
            var d = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                long evaluations = 0;
                a.Add(Cpu(() => { for (int k = 0; k < runs; k++) evaluations += ReferenceSimulator.Run(net, profile, analogOptions, samples, [], threads: 1).Counters.SampleEvaluations; }) / evaluations);
                d.Add(Cpu(() => { for (int k = 0; k < runs; k++) DigitalSampler.Sample(ort, net.Metadata.CreateSde(), samples, [], digitalOptions); }) / ((double)runs * samples * digitalOptions.Steps));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {model} on {profileName} | {samples} × {runs} | {Median(a) * 1e9:F0} | {Median(d) * 1e9:F0} | {MinMedianMax.Of(a.Zip(d, (x, y) => x / y), "F2")} |"));
        }
        return 0;
    }

    private static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);

    private static double Cpu(Action work) => ProcessCpu.Measure(work).Cpu;
}
