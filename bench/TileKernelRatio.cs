using System.Runtime.Intrinsics;
using Google.Protobuf;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Kernels;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace MemristorGrid.Bench;

/// <summary>
/// One tile's MVM over a batch against the machine's limits, side by side in one run: the single-core
/// FMA peak (a probe of independent 512-bit FMA chains), ONNX Runtime's MatMul on the same shape (one
/// thread), and the tile on <c>ideal</c> and with read noise (<c>rram-180nm</c>'s devices and wires).
/// Thread CPU time, interleaved, repeated; GFLOP/s counts 2·batch·rows·cols per MVM.
///   dotnet run -c Release --project bench -- kernels [--repeats 3] [--batch 512] [--sizes 64,256]
/// </summary>
internal static class TileKernelRatio
{
    public static int Run(string[] args)
    {
        int repeats = BenchArgs.Int(args, "--repeats", 3), batch = BenchArgs.Int(args, "--batch", 512);
        var sizes = BenchArgs.Ints(args, "--sizes", [64, 256]);
        Console.WriteLine($"batch {batch}, thread CPU time, {repeats} interleaved repeats; Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        var peak = new List<double>();
        bool probesAgree = true;
        foreach (int n in sizes)
        {
            // Analog rows, as a hidden layer's: no DAC on the inputs.
            var ideal = RandomTile.Square(n, HardwareProfile.Resolve("ideal"), digitisedRows: false);
            var noisy = RandomTile.Square(n, HardwareProfile.Resolve("rram-180nm"), digitisedRows: false);
            var y = new float[batch * n];
            long interval = 0; // each call a new controller period: fresh read noise, as in a run
            var x = Inputs(n, batch);
            using var matmul = new OrtMatMul(n, n, batch);
            var packed = PackedMatrix.FromInputRows(Inputs(n, n), n, n);
            var runs = new (string Name, Action Call)[]
            {
                ("ONNX Runtime MatMul", () => matmul.Run(x)),
                ("Gemm alone (the tile's product, no converters or power)", () => Gemm.Multiply(x, batch, n, packed, y, n)),
                ("tile, ideal", () => ideal.Evaluate(x, y, batch, new ReadContext(1, 0, interval++, 0))),
                ("tile, read noise (rram-180nm)", () => noisy.Evaluate(x, y, batch, new ReadContext(1, 0, interval++, 0))),
            };
            var gflops = runs.ToDictionary(r => r.Name, _ => new List<double>());
            double flops = 2.0 * batch * n * n;
            // Warm-up, 2 s each: pinned, the JIT's background compiler shares the core, and 0.3 s left tier-0 code in
            // the first repeats (the ideal tile then read 0.55 of peak; it is 0.86 in steady state).
            foreach (var r in runs) Seconds(r.Call, 2.0);
            for (int rep = 0; rep < repeats; rep++)
            {
                var (probe, agree) = FmaPeak();
                peak.Add(probe);
                probesAgree &= agree;
                foreach (var r in runs) gflops[r.Name].Add(flops / Seconds(r.Call, 0.2) / 1e9);
            }
            Console.WriteLine();
            Console.WriteLine($"{n} × {n}, batch {batch}: GFLOP/s (min / median / max)");
            Console.WriteLine("| kernel | GFLOP/s | × FMA peak | × ONNX Runtime | × ideal tile |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var r in runs)
            {
                var g = gflops[r.Name];
                string toPeak = probesAgree ? Mmm(g.Select((v, i) => v / peak[^repeats..][i])) : "withheld";
                Console.WriteLine($"| {r.Name} | {Mmm(g)} | {toPeak} | {Mmm(g.Select((v, i) => v / gflops["ONNX Runtime MatMul"][i]))} | {Mmm(g.Select((v, i) => v / gflops["tile, ideal"][i]))} |");
            }
        }
        Console.WriteLine();
        Console.WriteLine($"single-core FMA peak (the higher of 12- and 24-chain probes): {Mmm(peak)} GFLOP/s");
        if (!probesAgree) Console.WriteLine("the 12- and 24-chain probes disagreed by more than 15 % in a repeat: ratios to the peak withheld (the machine was disturbed, or a probe is not measuring the peak)");
        return 0;
    }

    /// <summary>
    /// Thread CPU seconds per call, over calls adding up to at least <paramref name="atLeast"/> s. The clock is
    /// read once per round of calls spanning ≥ 10 ms: reading it is a system call (2 µs on this VM, ~9 % of a
    /// 64 × 64 tile's 23 µs), and reading it after every call had put the ideal tile at 0.63 of peak, not 0.86.
    /// </summary>
    private static double Seconds(Action call, double atLeast)
    {
        int round = 1;
        double start = CpuClock.ThreadSeconds();
        call();
        double first = CpuClock.ThreadSeconds() - start;
        if (first < 0.01) round = (int)Math.Clamp(0.01 / Math.Max(first, 1e-7), 1, 1_000_000);
        long calls = 0;
        double spent;
        start = CpuClock.ThreadSeconds();
        do
        {
            for (int k = 0; k < round; k++) call();
            calls += round;
            spent = CpuClock.ThreadSeconds() - start;
        } while (spent < atLeast);
        return spent / calls;
    }

    /// <summary>
    /// The core's FMA throughput, two ways: 12 and 24 independent chains of 512-bit FMAs (two pipes × four cycles of
    /// latency need 8 in flight). The higher is the peak. A ratio is only as good as its denominator — this probe once
    /// read half the core's peak — so the two must agree within 15 % or the bench withholds its ratios to the peak.
    /// (Checked once against a C probe of 12 and 24 `_mm512_fmadd_ps` chains: 210–213 and 217–219 GFLOP/s.)
    /// </summary>
    private static (double Peak, bool Agree) FmaPeak()
    {
        const int iterations = 4_000_000;
        double start = CpuClock.ThreadSeconds();
        float sink = FmaChains(iterations);
        double twelve = 12.0 * Vector512<float>.Count * 2 * iterations / (CpuClock.ThreadSeconds() - start) / 1e9;
        start = CpuClock.ThreadSeconds();
        sink += FmaChains24(iterations / 2);
        double twentyFour = 24.0 * Vector512<float>.Count * 2 * (iterations / 2) / (CpuClock.ThreadSeconds() - start) / 1e9;
        if (float.IsNaN(sink)) Console.WriteLine("(probe overflowed)");
        return (Math.Max(twelve, twentyFour), Math.Min(twelve, twentyFour) >= 0.85 * Math.Max(twelve, twentyFour));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization | System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float FmaChains24(int iterations)
    {
        var a = Vector512.Create(1.0000001f);
        var b = Vector512.Create(1e-9f);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default, d4 = default, d5 = default, d6 = default, d7 = default, d8 = default, d9 = default, d10 = default, d11 = default;
        for (int i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b); c1 = Vector512.FusedMultiplyAdd(c1, a, b); c2 = Vector512.FusedMultiplyAdd(c2, a, b);
            c3 = Vector512.FusedMultiplyAdd(c3, a, b); c4 = Vector512.FusedMultiplyAdd(c4, a, b); c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b); c7 = Vector512.FusedMultiplyAdd(c7, a, b); c8 = Vector512.FusedMultiplyAdd(c8, a, b);
            c9 = Vector512.FusedMultiplyAdd(c9, a, b); c10 = Vector512.FusedMultiplyAdd(c10, a, b); c11 = Vector512.FusedMultiplyAdd(c11, a, b);
            d0 = Vector512.FusedMultiplyAdd(d0, a, b); d1 = Vector512.FusedMultiplyAdd(d1, a, b); d2 = Vector512.FusedMultiplyAdd(d2, a, b);
            d3 = Vector512.FusedMultiplyAdd(d3, a, b); d4 = Vector512.FusedMultiplyAdd(d4, a, b); d5 = Vector512.FusedMultiplyAdd(d5, a, b);
            d6 = Vector512.FusedMultiplyAdd(d6, a, b); d7 = Vector512.FusedMultiplyAdd(d7, a, b); d8 = Vector512.FusedMultiplyAdd(d8, a, b);
            d9 = Vector512.FusedMultiplyAdd(d9, a, b); d10 = Vector512.FusedMultiplyAdd(d10, a, b); d11 = Vector512.FusedMultiplyAdd(d11, a, b);
        }
        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + d0 + d1 + d2 + d3 + d4 + d5 + d6 + d7 + d8 + d9 + d10 + d11).ToScalar();
    }

    /// <summary>No call inside or after the loop while the chains are live: the JIT would spill them to the stack at every FMA.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization | System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float FmaChains(int iterations)
    {
        var a = Vector512.Create(1.0000001f);
        var b = Vector512.Create(1e-9f);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (int i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b); c1 = Vector512.FusedMultiplyAdd(c1, a, b); c2 = Vector512.FusedMultiplyAdd(c2, a, b);
            c3 = Vector512.FusedMultiplyAdd(c3, a, b); c4 = Vector512.FusedMultiplyAdd(c4, a, b); c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b); c7 = Vector512.FusedMultiplyAdd(c7, a, b); c8 = Vector512.FusedMultiplyAdd(c8, a, b);
            c9 = Vector512.FusedMultiplyAdd(c9, a, b); c10 = Vector512.FusedMultiplyAdd(c10, a, b); c11 = Vector512.FusedMultiplyAdd(c11, a, b);
        }
        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).ToScalar();
    }

    private static float[] Inputs(int n, int batch)
    {
        var x = new float[batch * n];
        Streams.Rng(19, StreamPurpose.ReadNoise, (ulong)n).FillUniform(x, -1f, 1f);
        return x;
    }

    private static string Mmm(IEnumerable<double> values) => MinMedianMax.Of(values, "G3");

    /// <summary>ONNX Runtime running one MatMul [batch × k]·[k × m] on one thread, into preallocated outputs.</summary>
    private sealed class OrtMatMul : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly float[] _x, _y;
        private readonly OrtValue _input, _output;
        private readonly RunOptions _run = new();

        public OrtMatMul(int k, int m, int batch)
        {
            var weights = new float[k * m];
            Streams.Rng(23, StreamPurpose.ReadNoise).FillUniform(weights, -1f, 1f);
            var w = new TensorProto { Name = "W", DataType = 1, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.AsSpan())) };
            w.Dims.Add([k, m]);
            var graph = new GraphProto { Name = "matmul" };
            graph.Initializer.Add(w);
            var node = new NodeProto { OpType = "MatMul", Name = "mm" };
            node.Input.Add(["X", "W"]);
            node.Output.Add("Y");
            graph.Node.Add(node);
            graph.Input.Add(Value("X", batch, k));
            graph.Output.Add(Value("Y", batch, m));
            var model = new ModelProto { IrVersion = 8, Graph = graph };
            model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
            var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            _session = new InferenceSession(model.ToByteArray(), options);
            _x = new float[batch * k];
            _y = new float[batch * m];
            _input = OrtValue.CreateTensorValueFromMemory(_x, [batch, k]);
            _output = OrtValue.CreateTensorValueFromMemory(_y, [batch, m]);
        }

        private static ValueInfoProto Value(string name, int rows, int cols)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = rows });
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = cols });
            return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
        }

        public void Run(float[] x)
        {
            x.AsSpan(0, _x.Length).CopyTo(_x);
            _session.Run(_run, ["X"], [_input], ["Y"], [_output]);
        }

        public void Dispose()
        {
            _input.Dispose();
            _output.Dispose();
            _run.Dispose();
            _session.Dispose();
        }
    }
}
