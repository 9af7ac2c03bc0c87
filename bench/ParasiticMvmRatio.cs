using System.Globalization;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Bench;

/// <summary>
/// What IR drop costs per MVM: one tile of rram-180nm (read noise, 8-bit DAC) evaluated on a batch with
/// ideal wires and with its sourced wires on each solver path, interleaved and repeated, in the thread's
/// CPU time. Conductances are uniform over the device window and inputs uniform over the DAC's range
/// (seeded), so every method sees the same work.
///   dotnet run -c Release --project bench -- irdrop [--repeats 3] [--sizes 64,256]
/// </summary>
internal static class ParasiticMvmRatio
{
    private const int Batch = 64;

    public static int Run(string[] args)
    {
        int repeats = BenchArgs.Int(args, "--repeats", 3);
        int[] sizes = BenchArgs.Ints(args, "--sizes", [64, 256]);
        var profile = HardwareProfile.Resolve("rram-180nm");
        Console.WriteLine($"rram-180nm wires: word line {profile.Wires.WordLineOhmsPerCell} Ω/cell, bit line {profile.Wires.BitLineOhmsPerCell} Ω/cell, driver {profile.Wires.DriverOhms} Ω, TIA {profile.Wires.TiaInputOhms} Ω; batch {Batch}; CPU time per MVM (one sample through G⁺ and G⁻)");
        Console.WriteLine("| tile | path | µs per MVM (min / median / max) | × ideal (min / median / max) | sweeps or order |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (int n in sizes)
        {
            var perSample = profile.Wires with { Evaluation = WireEvaluation.PerSample };
            double buildStart = CpuClock.ThreadSeconds();
            var superposed = Tile(n, profile with { Wires = profile.Wires with { Evaluation = WireEvaluation.Superposition } });
            double build = CpuClock.ThreadSeconds() - buildStart;
            var methods = new List<(string Name, CrossbarTile Tile, int Batch)>
            {
                ("ideal wires", Tile(n, profile with { Wires = new WireParameters() }), Batch),
                ("superposition (default)", superposed, Batch),
                ("per sample: linearised", Tile(n, profile with { Wires = perSample with { Solver = CircuitSolver.Linear } }), Batch),
                ("per sample: series", Tile(n, profile with { Wires = perSample with { Solver = CircuitSolver.Series } }), Batch),
                ("per sample: iterative", Tile(n, profile with { Wires = perSample with { Solver = CircuitSolver.Iterative } }), Batch),
            };
            // The banded direct solve costs rows·cols³: measured on one sample where it is affordable.
            if (n <= 64) methods.Add(("per sample: direct (oracle)", Tile(n, profile with { Wires = perSample with { Solver = CircuitSolver.Direct } }), 1));
            var inputs = Inputs(n, profile);
            var perMvm = methods.ToDictionary(m => m.Name, _ => new List<double>());
            // Warm-up past tiered compilation (≥ 0.3 s of each path), which also sizes each measurement to ~0.2 s.
            var calls = methods.ToDictionary(m => m.Name, m => WarmUp(m.Tile, inputs, m.Batch));
            for (int r = 0; r < repeats; r++)
                foreach (var m in methods) perMvm[m.Name].Add(Time(m.Tile, inputs, m.Batch, calls[m.Name]));
            var ideal = perMvm["ideal wires"];
            foreach (var m in methods)
            {
                var times = perMvm[m.Name];
                var ratios = times.Zip(ideal, (a, b) => a / b).ToList();
                string sweeps = m.Tile.PlusCircuit switch
                {
                    { Solver: CircuitSolver.Iterative } c => MeanSweeps(c, inputs, n, profile).ToString("F1", CultureInfo.InvariantCulture),
                    { SeriesOrder: > 0 } c => $"order {c.SeriesOrder}, bound {c.ErrorBound.ToString("E1", CultureInfo.InvariantCulture)}",
                    _ when m.Tile == superposed => string.Create(CultureInfo.InvariantCulture, $"built once in {build * 1e3:F0} ms CPU"),
                    _ => "–",
                };
                Console.WriteLine($"| {n} × {n} | {m.Name} | {Mmm(times.Select(t => t * 1e6))} | {Mmm(ratios)} | {sweeps} |");
            }
        }
        return 0;
    }

    private static CrossbarTile Tile(int n, HardwareProfile profile) => RandomTile.Square(n, profile, digitisedRows: true);

    private static float[] Inputs(int n, HardwareProfile profile)
    {
        var rng = Streams.Rng(19, StreamPurpose.ReadNoise, (ulong)n);
        float range = (float)(profile.Dac.FullScaleVolts / profile.Signal.VoltsPerUnit);
        var x = new float[Batch * n];
        rng.FillUniform(x, -range, range);
        return x;
    }

    private static int WarmUp(CrossbarTile tile, float[] inputs, int batch)
    {
        int calls = 1;
        double perCall;
        for (double spent = 0; ; calls *= 2)
        {
            perCall = Time(tile, inputs, batch, calls) * batch;
            spent += perCall * calls;
            if (spent >= 0.3) break;
        }
        return Math.Max(1, (int)(0.2 / perCall));
    }

    /// <summary>Thread CPU seconds per MVM over <paramref name="calls"/> evaluations of <paramref name="batch"/> samples.</summary>
    private static double Time(CrossbarTile tile, float[] inputs, int batch, int calls)
    {
        int n = tile.Plan.RowCount;
        var x = new float[batch * n];
        var y = new float[batch * tile.Plan.ColCount];
        double start = CpuClock.ThreadSeconds();
        for (int call = 0; call < calls; call++)
        {
            inputs.AsSpan(0, batch * n).CopyTo(x);
            tile.Evaluate(x, y, batch, new ReadContext(1, 0, call, 0));
        }
        return (CpuClock.ThreadSeconds() - start) / (calls * batch);
    }

    private static double MeanSweeps(CrossbarCircuit circuit, float[] inputs, int n, HardwareProfile profile)
    {
        var currents = new double[n];
        var work = new double[circuit.WorkspaceLength];
        double total = 0;
        for (int k = 0; k < Batch; k++)
        {
            var volts = inputs.AsSpan(k * n, n).ToArray().Select(v => v * profile.Signal.VoltsPerUnit).ToArray();
            total += circuit.Solve(volts, currents, new double[n], work).Sweeps;
        }
        return total / Batch;
    }

    private static string Mmm(IEnumerable<double> values) => MinMedianMax.Of(values, "G3");
}
