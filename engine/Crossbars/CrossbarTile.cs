using System.Buffers;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Devices;
using MemristorGrid.Engine.Kernels;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>What one tile evaluation reports besides its output currents.</summary>
/// <param name="AdcOverflows">Values beyond the ADC's full scale where this tile digitises (inputs arriving from another chip, outputs leaving for one).</param>
public readonly record struct TileEvaluation(double CellPowerWatts, int InputOverflows, int SaturatedOutputs, int AdcOverflows = 0)
{
    /// <summary>Two reads' counts together (powers added in the order given, so a sum over tiles is the same whoever adds it).</summary>
    public static TileEvaluation operator +(TileEvaluation a, TileEvaluation b) =>
        new(a.CellPowerWatts + b.CellPowerWatts, a.InputOverflows + b.InputOverflows, a.SaturatedOutputs + b.SaturatedOutputs, a.AdcOverflows + b.AdcOverflows);
}

/// <summary>
/// Where a read happens: which samples (the batch's rows are samples FirstSample, FirstSample + 1, …,
/// or the global indices in <see cref="Samples"/>), which update period and which network pass — the
/// key of the read noise, so a sample's noise does not depend on which batch it was read in.
/// </summary>
public readonly record struct ReadContext(ulong Seed, long FirstSample, long Interval, int Pass, long[]? Samples = null)
{
    public long SampleAt(int row) => Samples is { } s ? s[row] : FirstSample + row;
}

/// <summary>
/// A programmed crossbar tile. Inputs are row voltages (in network units), outputs TIA voltages (in
/// units): y_c = Σ_r x_r (G⁺_rc − G⁻_rc)·s_c/ΔG, the differential-pair current scaled by the TIA's
/// feedback, with s_c the column's weight scale and ΔG = Gmax − Gmin. Each read redraws the device
/// fluctuation G(1 + ε), ε ~ N(0, σ_r²); its sum over a column is Gaussian with standard deviation
/// σ_r·sqrt(Σ_r x_r² (G⁺² + G⁻²))·s_c/ΔG, which is drawn directly (exact in distribution, one draw
/// per output). Cell power is Σ_r V_r² Σ_c (G⁺ + G⁻). With resistive wires (<see cref="WireParameters"/>)
/// the two arrays are circuits (<see cref="CrossbarCircuit"/>): by default their solved unit responses
/// replace the weights at programming (superposition), or each sample's currents, read-noise variance and
/// cell power come from that sample's solved cell voltages (<see cref="WireEvaluation"/>). Immutable after
/// programming, so one instance may serve many lanes at once.
/// </summary>
public sealed class CrossbarTile
{
    private readonly float[] _rowConductance; // [rows] Σ_c (G⁺ + G⁻), siemens
    private readonly PackedMatrix _weights;      // effective weight of each pair, in weight units
    private readonly PackedMatrix? _noiseWeights; // (G⁺² + G⁻²)·(s/ΔG)²; null without read noise
    private readonly TileInputs _inputs;
    private readonly WiredTile? _wired; // per-sample evaluation of resistive wires only
    private readonly float _readSigma;
    private readonly float _voltsPerUnit;
    private readonly float _tiaRail;
    private readonly float[]? _columnOffset; // calibration's offset trim per column (weight units); null without calibration

    /// <param name="columnScale">Weight units per conductance window for each output column of the layer,
    /// including any read-out gain correction.</param>
    public CrossbarTile(TilePlan plan, double[] gPlus, double[] gMinus, float[] columnScale, HardwareProfile profile)
        : this(plan, new ConductanceMapping.ProgrammedBlock(gPlus, gMinus, columnScale, new ProgrammingStats()), profile)
    {
    }

    /// <summary>The tile <paramref name="block"/> programmed (with redundancy, its replicas summed per pair).</summary>
    public CrossbarTile(TilePlan plan, ConductanceMapping.ProgrammedBlock block, HardwareProfile profile)
    {
        Plan = plan;
        int rows = plan.RowCount, cols = plan.ColCount;
        if (block.GPlus.Length != rows * cols || block.GMinus.Length != rows * cols) throw new ArgumentException("conductance blocks must be rows × cols");
        if (block.Replicas != profile.Mapping.Replicas) throw new ArgumentException($"the block holds {block.Replicas} replicas per pair, the profile maps {profile.Mapping.Replicas}");
        GPlus = block.GPlus;
        GMinus = block.GMinus;
        _columnOffset = block.ColumnOffset;
        _readSigma = (float)profile.Device.ReadNoiseSigma;
        _voltsPerUnit = (float)profile.Signal.VoltsPerUnit;
        (var weights, var noiseWeights, _rowConductance, _wired) = Arrays(plan, block, profile);
        _inputs = new TileInputs(plan, profile);
        _tiaRail = Converters.Rail(profile.Tia.SaturationVolts, profile);
        _weights = PackedMatrix.FromInputRows(weights, rows, cols);
        _noiseWeights = _readSigma > 0 ? PackedMatrix.FromInputRows(noiseWeights, rows, cols) : null;
    }

    public TilePlan Plan { get; }

    /// <summary>The G⁺ and G⁻ circuits when the profile's wires are resistive and solved per sample, else null.</summary>
    public CrossbarCircuit? PlusCircuit => _wired?.Plus;
    public CrossbarCircuit? MinusCircuit => _wired?.Minus;

    /// <summary>Programmed (and drifted) conductances, [rows × cols] row-major, siemens.</summary>
    public double[] GPlus { get; }
    public double[] GMinus { get; }

    /// <summary>Programs the tile for <paramref name="plan"/> from the network's weights (<see cref="ConductanceMapping"/>).</summary>
    public static CrossbarTile Program(TilePlan plan, ScoreNetwork network, HardwareProfile profile, ulong chipSeed)
    {
        return new CrossbarTile(plan, ConductanceMapping.Program(plan, network, profile, chipSeed), profile);
    }

    /// <summary>
    /// What a tile's conductances give the batched kernel, [rows × cols] row-major: each pair's weight (G⁺ − G⁻)·s/ΔG in
    /// weight units, its read-noise weight (G⁺² + G⁻²)·(s/ΔG)² (empty without read noise) and each row's total conductance;
    /// with resistive wires superposed, the unit responses instead, and with per-sample wires the ideal arrays plus the
    /// circuits that replace them at evaluation. Training for a profile reads the same arrays (<see cref="Training.ChipDraw"/>).
    /// </summary>
    internal static (float[] Weights, float[] NoiseWeights, float[] RowConductance, WiredTile? PerSample) Arrays(
        TilePlan plan, ConductanceMapping.ProgrammedBlock block, HardwareProfile profile)
    {
        int rows = plan.RowCount, cols = plan.ColCount, n = block.Replicas;
        var (gPlus, gMinus) = (block.GPlus, block.GMinus);
        // N replicas' currents add; the TIA's gain divided by N makes the pair's weight their mean.
        var columnScale = n == 1 ? block.ColumnScale : block.ColumnScale.Select(s => s / n).ToArray();
        double window = new DeviceModel(profile.Device).Window;
        float readSigma = (float)profile.Device.ReadNoiseSigma;
        var weights = new float[rows * cols];
        var noiseWeights = readSigma > 0 ? new float[rows * cols] : [];
        var rowConductance = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double rowSum = 0;
            for (int c = 0; c < cols; c++)
            {
                double gp = gPlus[r * cols + c], gm = gMinus[r * cols + c];
                double unit = columnScale[plan.ColStart + c] / window;
                weights[r * cols + c] = (float)((gp - gm) * unit);
                double squares = n == 1 ? gp * gp + gm * gm : block.SquaresPlus![r * cols + c] + block.SquaresMinus![r * cols + c];
                if (readSigma > 0) noiseWeights[r * cols + c] = (float)(squares * unit * unit);
                rowSum += gp + gm;
            }
            rowConductance[r] = (float)rowSum;
        }
        if (profile.Wires.IsIdeal) return (weights, noiseWeights, rowConductance, null);
        // With redundancy the wires see each pair's replicas as one cell of their summed conductance (an approximation: the
        // replicas' rows sit side by side on the same bit line).
        var wired = new WiredTile(plan, gPlus, gMinus, columnScale, profile.Wires, window, (float)profile.Signal.VoltsPerUnit, readSigma);
        if (profile.Wires.Evaluation != WireEvaluation.Superposition) return (weights, noiseWeights, rowConductance, wired);
        wired.Superpose(weights, noiseWeights, rowConductance);
        return (weights, noiseWeights, rowConductance, null);
    }

    /// <summary>Whether <see cref="Evaluate"/> writes its inputs (the digitised rows' converters); when it does not, they may be
    /// a sender's read-only buffer.</summary>
    public bool WritesInputs => _inputs.WritesInputs;

    /// <summary>
    /// Evaluates <paramref name="count"/> input vectors ([count × rows], units; digitised rows are
    /// quantised in place by the sender's ADC and this tile's DAC) into [count × cols] outputs, and —
    /// when <paramref name="cellPower"/> is given — each sample's cell power (W). With ideal (or superposed)
    /// wires the batch is one matrix product (<see cref="Gemm"/>), and with read noise a second one gives
    /// every output's noise variance; scratch comes from the shared pool, so nothing is allocated per call.
    /// </summary>
    public TileEvaluation Evaluate(Span<float> inputs, Span<float> outputs, int count, in ReadContext read, Span<double> cellPower = default)
    {
        if (cellPower.Length != 0 && cellPower.Length < count) throw new ArgumentException($"tile {Plan.Id} writes {count} cell powers, got room for {cellPower.Length}");
        int rows = Plan.RowCount, cols = Plan.ColCount;
        if (inputs.Length < count * rows) throw new ArgumentException($"tile {Plan.Id} expects {count}×{rows} inputs, got {inputs.Length}");
        if (outputs.Length < count * cols) throw new ArgumentException($"tile {Plan.Id} writes {count}×{cols} outputs, got room for {outputs.Length}");
        int adcOverflows = 0;
        int overflows = _inputs.Digitise(inputs, count, ref adcOverflows);
        bool noisy = _readSigma > 0;
        var rng = noisy ? Streams.Rng(read.Seed, StreamPurpose.ReadNoise, Plan.StreamKey, (ulong)read.Interval, (ulong)read.Pass) : default;
        // With nothing added to the product (no read noise, no calibration trim) the product itself holds its outputs at the
        // TIA's rail, in registers: a separate pass over a 227 × 64 batch cost a tenth of the product.
        bool railInProduct = _wired is null && _noiseWeights is null && _columnOffset is null;
        int saturated = 0;
        double watts = _wired is not null
            ? _wired.Evaluate(inputs, outputs, count, read, ref rng, cellPower)
            : EvaluateBatch(inputs[..(count * rows)], outputs[..(count * cols)], count, read, ref rng, cellPower,
                railInProduct ? _tiaRail : float.PositiveInfinity, ref saturated);
        if (_columnOffset is { } trim)
            for (int i = 0; i < count; i++) TensorPrimitives.Add(outputs.Slice(i * cols, cols), trim, outputs.Slice(i * cols, cols));
        if (!railInProduct) saturated = Rails.Clamp(outputs[..(count * cols)], _tiaRail);
        if (Plan.DigitisedOutputs) adcOverflows += _inputs.Adc.Apply(outputs[..(count * cols)]);
        return new TileEvaluation(watts, overflows, saturated, adcOverflows);
    }

    /// <summary>The batch through the ideal (or superposed) arrays: y = x·W (held at <paramref name="rail"/>, the held outputs counted in
    /// <paramref name="held"/>), plus σ_r·sqrt(x²·Q)·z with read noise; returns the cells' power (W).</summary>
    private double EvaluateBatch(Span<float> x, Span<float> y, int count, in ReadContext read, ref CounterRng rng, Span<double> cellPower,
        float rail, ref int held)
    {
        int rows = Plan.RowCount, cols = Plan.ColCount;
        held = Gemm.Multiply(x, count, rows, _weights, y, cols, rail);
        double unitWatts = (double)_voltsPerUnit * _voltsPerUnit;
        float[] sums = ArrayPool<float>.Shared.Rent(count);
        WeightedSquares.Sum(x, count, rows, _rowConductance, sums);
        double power = WeightedSquares.Total(sums.AsSpan(0, count), unitWatts, cellPower.Length != 0 ? cellPower[..count] : default);
        ArrayPool<float>.Shared.Return(sums);
        if (_noiseWeights is not null)
        {
            float[] squares = ArrayPool<float>.Shared.Rent(count * rows);
            var sq = squares.AsSpan(0, count * rows);
            TensorPrimitives.Multiply(x, x, sq);
            AddReadNoise(sq, y, count, read, ref rng);
            ArrayPool<float>.Shared.Return(squares);
        }
        return power * unitWatts;
    }

    /// <summary>
    /// Each column's read-noise sum is Gaussian with variance σ_r²·Σ_r x_r²(G⁺² + G⁻²)·(s/ΔG)²: one batched
    /// product gives the variances, and output (i, c) takes draw SampleAt(i)·cols + c of the read's stream.
    /// </summary>
    private void AddReadNoise(ReadOnlySpan<float> squares, Span<float> y, int count, in ReadContext read, ref CounterRng rng)
    {
        int cols = Plan.ColCount, n = count * cols;
        float[] variance = ArrayPool<float>.Shared.Rent(n), draws = ArrayPool<float>.Shared.Rent(n);
        try
        {
            var v = variance.AsSpan(0, n);
            var z = draws.AsSpan(0, n);
            Gemm.Multiply(squares, count, Plan.RowCount, _noiseWeights!, v, cols);
            if (read.Samples is null) GaussianBlocks.Fill(rng, z, (ulong)read.FirstSample * (ulong)cols);
            else
                for (int i = 0; i < count; i++) GaussianBlocks.Fill(rng, z.Slice(i * cols, cols), (ulong)read.SampleAt(i) * (ulong)cols);
            AddDraws(v, z, y[..n]);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(variance);
            ArrayPool<float>.Shared.Return(draws);
        }
    }

    /// <summary>y += σ_r·sqrt(variance)·z in one pass, rounded as written (no fused multiply-add, which
    /// some machines would and others would not use).</summary>
    private void AddDraws(ReadOnlySpan<float> variance, ReadOnlySpan<float> z, Span<float> y)
    {
        int i = 0;
        if (Simd.Width == KernelWidth.Vector512)
        {
            var sigma = Vector512.Create(_readSigma);
            for (; i + Vector512<float>.Count <= y.Length; i += Vector512<float>.Count)
            {
                var noise = Vector512.Sqrt(Vector512.Create(variance.Slice(i, Vector512<float>.Count))) * sigma * Vector512.Create(z.Slice(i, Vector512<float>.Count));
                (Vector512.Create((ReadOnlySpan<float>)y.Slice(i, Vector512<float>.Count)) + noise).CopyTo(y.Slice(i, Vector512<float>.Count));
            }
        }
        for (; i < y.Length; i++) y[i] += MathF.Sqrt(variance[i]) * _readSigma * z[i];
    }
}
