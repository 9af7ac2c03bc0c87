using System.Buffers;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>
/// A tile whose wires have resistance: its G⁺ and G⁻ arrays as circuits (<see cref="CrossbarCircuit"/>). Either their
/// unit responses are folded into the ideal kernel once (<see cref="Superpose"/>), or each sample's row voltages drive
/// both circuits (<see cref="Evaluate"/>, per-sample evaluation).
/// </summary>
public sealed class WiredTile
{
    private readonly TilePlan _plan;
    private readonly double[] _columnUnit; // [cols] weight units per siemens·volt of differential current: s_c / ΔG
    private readonly float _voltsPerUnit, _readSigma;

    public WiredTile(TilePlan plan, double[] gPlus, double[] gMinus, float[] columnScale, WireParameters wires, double window, float voltsPerUnit, float readSigma)
    {
        _plan = plan;
        _columnUnit = new double[plan.ColCount];
        for (int c = 0; c < _columnUnit.Length; c++) _columnUnit[c] = columnScale[plan.ColStart + c] / window;
        Plus = new CrossbarCircuit(plan.RowCount, plan.ColCount, gPlus, wires);
        Minus = new CrossbarCircuit(plan.RowCount, plan.ColCount, gMinus, wires);
        (_voltsPerUnit, _readSigma) = (voltsPerUnit, readSigma);
    }

    public CrossbarCircuit Plus { get; }
    public CrossbarCircuit Minus { get; }

    /// <summary>
    /// Folds the wires into the ideal kernel's arrays: the weights become the unit responses (A⁺ − A⁻)·s/ΔG,
    /// exact for every input by superposition; the noise weights and row conductances take each cell's
    /// attenuation a = ΔV/V under uniform drive, (G·a)² and Σ_c G·a², which is what a per-sample solve gives
    /// when all inputs are equal and an approximation otherwise (docs/hardware-model.md, "Wires").
    /// </summary>
    public void Superpose(float[] weights, float[] noiseWeights, float[] rowConductance)
    {
        int rows = _plan.RowCount, cols = _plan.ColCount;
        var responsePlus = Plus.ResponseMatrix();
        var responseMinus = Minus.ResponseMatrix();
        var uniform = Enumerable.Repeat(1.0, rows).ToArray();
        var acrossPlus = new double[rows * cols];
        var acrossMinus = new double[rows * cols];
        Plus.SolveCells(uniform, acrossPlus, new double[Plus.WorkspaceLength]);
        Minus.SolveCells(uniform, acrossMinus, new double[Minus.WorkspaceLength]);
        var gp = Plus.Conductance;
        var gm = Minus.Conductance;
        for (int r = 0; r < rows; r++)
        {
            double rowSum = 0;
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                double unit = _columnUnit[c];
                weights[i] = (float)((responsePlus[i] - responseMinus[i]) * unit);
                double noisePlus = gp[i] * acrossPlus[i], noiseMinus = gm[i] * acrossMinus[i];
                if (noiseWeights.Length != 0) noiseWeights[i] = (float)((noisePlus * noisePlus + noiseMinus * noiseMinus) * unit * unit);
                rowSum += noisePlus * acrossPlus[i] + noiseMinus * acrossMinus[i];
            }
            rowConductance[r] = (float)rowSum;
        }
    }

    /// <summary>Each sample through both circuits; writes each sample's cell power when <paramref name="cellPower"/> is given
    /// and returns their sum (W). Scratch comes from the shared pool.</summary>
    public double Evaluate(Span<float> inputs, Span<float> outputs, int count, in ReadContext read, ref CounterRng rng, Span<double> cellPower)
    {
        int rows = _plan.RowCount, cols = _plan.ColCount;
        using var wired = WiredWorkspace.Rent(Plus);
        Span<float> z = _readSigma <= 0 ? default : cols <= 512 ? stackalloc float[cols] : new float[cols];
        double watts = 0;
        for (int i = 0; i < count; i++)
        {
            double sampleWatts = EvaluateSample(inputs.Slice(i * rows, rows), outputs.Slice(i * cols, cols), wired.Span, z, read, i, ref rng);
            watts += sampleWatts;
            if (cellPower.Length != 0) cellPower[i] = sampleWatts;
        }
        return watts;
    }

    /// <summary>One sample through both circuits: outputs y (units) with read noise when <paramref name="z"/> is given; returns the cell power (W).</summary>
    private double EvaluateSample(ReadOnlySpan<float> x, Span<float> y, Span<double> workspace, Span<float> z, in ReadContext read, int row, ref CounterRng rng)
    {
        int rows = _plan.RowCount, cols = _plan.ColCount;
        var volts = workspace[..rows];
        var plusCurrents = workspace.Slice(rows, cols);
        var plusSquares = workspace.Slice(rows + cols, cols);
        var minusCurrents = workspace.Slice(rows + 2 * cols, cols);
        var minusSquares = workspace.Slice(rows + 3 * cols, cols);
        var solver = workspace[(rows + 4 * cols)..];
        for (int r = 0; r < rows; r++) volts[r] = (double)x[r] * _voltsPerUnit;
        var plus = Plus.Solve(volts, plusCurrents, plusSquares, solver);
        var minus = Minus.Solve(volts, minusCurrents, minusSquares, solver);
        if (z.Length != 0) GaussianBlocks.Fill(rng, z, (ulong)read.SampleAt(row) * (ulong)cols);
        for (int c = 0; c < cols; c++)
        {
            double scale = _columnUnit[c] / _voltsPerUnit;
            double value = (plusCurrents[c] - minusCurrents[c]) * scale;
            if (z.Length != 0) value += _readSigma * Math.Sqrt(plusSquares[c] + minusSquares[c]) * scale * z[c];
            y[c] = (float)value;
        }
        return plus.CellPowerWatts + minus.CellPowerWatts;
    }

    /// <summary>A pooled workspace for one Evaluate call, so the hot path allocates nothing.</summary>
    private readonly struct WiredWorkspace : IDisposable
    {
        private readonly double[] _buffer;
        private readonly int _length;

        private WiredWorkspace(double[] buffer, int length) => (_buffer, _length) = (buffer, length);

        public Span<double> Span => _buffer.AsSpan(0, _length);

        public static WiredWorkspace Rent(CrossbarCircuit circuit)
        {
            int length = circuit.Rows + 4 * circuit.Cols + circuit.WorkspaceLength;
            return new WiredWorkspace(ArrayPool<double>.Shared.Rent(length), length);
        }

        public void Dispose() => ArrayPool<double>.Shared.Return(_buffer);
    }
}
