using System.Globalization;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Bench;

/// <summary>
/// What the adaptive ODE solver's tolerance buys: ring's kl_paper and network evaluations per sample for
/// the digital probability-flow Euler at several step counts (10 000 steps is the converged reference)
/// and for the analog loop on the ideal profile (the same network, exactly: only the solver differs) at
/// several relative tolerances, over several seeds (same seed, same prior draws on both paths).
///   dotnet run -c Release --project bench -- solver [--samples 10000] [--seeds 5] [--steps 25,50,100,200]
/// The "sampling noise" is σ, the standard deviation of kl_paper over seeds of the 10 000-step runs: the
/// spread one run of this many samples has. Δ is each configuration's mean kl_paper minus the reference's.
/// </summary>
internal static class SolverWork
{
    public static int Run(string[] args)
    {
        int samples = BenchArgs.Int(args, "--samples", 10_000);
        int seeds = BenchArgs.Int(args, "--seeds", 5);
        int[] stepCounts = BenchArgs.Ints(args, "--steps", [25, 50, 100, 200]);
        double[] tolerances = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2];
        string path = Path.Combine(BenchRepo.Root(), "models", "ring.onnx");
        byte[] bytes = File.ReadAllBytes(path);
        var net = OnnxImporter.FromBytes(bytes, "ring.onnx");
        var ideal = HardwareProfile.Resolve("ideal");
        using var ort = new OnnxRuntimeScoreModel(bytes, net, 1);
        var references = new Dictionary<ulong, Dataset>(); // one reference draw per seed, shared by every sampler

        var rows = new List<(string Name, double Evaluations, double[] Kl)>();
        double[] Digital(int steps)
        {
            var kl = new double[seeds];
            for (int s = 0; s < seeds; s++)
            {
                ulong seed = (ulong)s + 1;
                var options = new SamplerOptions { Kind = SamplerKind.Ode, Steps = steps, ScheduleScale = net.Metadata.SamplingScheduleScale, Seed = seed, BatchSize = samples };
                var result = DigitalSampler.Sample(ort, net.Metadata.CreateSde(), samples, [], options);
                kl[s] = Quality(result.Samples, seed);
            }
            return kl;
        }

        var reference = Digital(10_000);
        rows.Add(("digital Euler, 10 000 steps", 10_000, reference));
        foreach (int steps in stepCounts) rows.Add(($"digital Euler, {steps} steps", steps, Digital(steps)));
        foreach (double rtol in tolerances)
        {
            var kl = new double[seeds];
            double evaluations = 0;
            for (int s = 0; s < seeds; s++)
            {
                ulong seed = (ulong)s + 1;
                var options = new AnalogRunOptions { ScheduleScale = net.Metadata.SamplingScheduleScale, Seed = seed, RelativeTolerance = rtol };
                var run = ReferenceSimulator.Run(net, ideal, options, samples, []);
                kl[s] = Quality(run.Samples, seed);
                evaluations += run.Counters.SampleEvaluations / (double)samples / seeds;
            }
            rows.Add(($"analog ideal, DP5(4) rtol {rtol:0e0} (atol 1e-5)", evaluations, kl));
        }

        double sigma = StandardDeviation(reference);
        Console.WriteLine($"ring, {samples} samples, seeds 1–{seeds}; σ (kl_paper spread over seeds at 10 000 steps) = {sigma:F4}");
        Console.WriteLine("| sampler | evaluations per sample | kl_paper min / median / max | Δ mean vs 10 000 steps | Δ / σ |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (name, evaluations, kl) in rows)
        {
            double delta = kl.Average() - reference.Average();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {evaluations:F1} | {MinMedianMax.Of(kl, "F4")} | {delta:+0.0000;-0.0000} | {delta / sigma:+0.00;-0.00} |"));
        }
        return 0;

        double Quality(float[] x, ulong seed)
        {
            if (!references.TryGetValue(seed, out var data))
                references[seed] = data = ReferenceResolver.Resolve(null, net.Metadata, seed, Math.Max(samples, 10_000), _ => { })!.Value.Data;
            return QualityReport.Compute(x, [], net.InputDim, data).KlPaper;
        }
    }

    private static double StandardDeviation(double[] v)
    {
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }
}
