using System.Buffers;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Crossbars;

// The tile when its wires have resistance: either the circuits' unit responses folded into the ideal
// kernel once (superposition), or each sample's row voltages driving the G⁺ and G⁻ circuits (per sample).
public sealed partial class CrossbarTile
{
    private readonly CrossbarCircuit? _plus, _minus; // per-sample evaluation only
    private readonly double[] _columnUnit = []; // [cols] weight units per siemens·volt of differential current: s_c / ΔG

    /// <summary>The G⁺ and G⁻ circuits when the profile's wires are resistive and solved per sample, else null.</summary>
    public CrossbarCircuit? PlusCircuit => _plus;
    public CrossbarCircuit? MinusCircuit => _minus;

    private static (CrossbarCircuit, CrossbarCircuit, double[]) WiredArrays(TilePlan plan, double[] gPlus, double[] gMinus, float[] columnScale, WireParameters wires, double window)
    {
        var unit = new double[plan.ColCount];
        for (int c = 0; c < unit.Length; c++) unit[c] = columnScale[plan.ColStart + c] / window;
        return (new CrossbarCircuit(plan.RowCount, plan.ColCount, gPlus, wires), new CrossbarCircuit(plan.RowCount, plan.ColCount, gMinus, wires), unit);
    }

    /// <summary>
    /// Folds the wires into the ideal kernel's arrays: the weights become the unit responses (A⁺ − A⁻)·s/ΔG,
    /// exact for every input by superposition; the noise weights and row conductances take each cell's
    /// attenuation a = ΔV/V under uniform drive, (G·a)² and Σ_c G·a², which is what a per-sample solve gives
    /// when all inputs are equal and an approximation otherwise (docs/hardware-model.md, "Wires").
    /// </summary>
    private void Superpose(CrossbarCircuit plus, CrossbarCircuit minus, double[] columnUnit, float[] weights, float[] noiseWeights)
    {
        int rows = Plan.RowCount, cols = Plan.ColCount;
        var responsePlus = plus.ResponseMatrix();
        var responseMinus = minus.ResponseMatrix();
        var uniform = Enumerable.Repeat(1.0, rows).ToArray();
        var acrossPlus = new double[rows * cols];
        var acrossMinus = new double[rows * cols];
        plus.SolveCells(uniform, acrossPlus, new double[plus.WorkspaceLength]);
        minus.SolveCells(uniform, acrossMinus, new double[minus.WorkspaceLength]);
        var gp = plus.Conductance;
        var gm = minus.Conductance;
        for (int r = 0; r < rows; r++)
        {
            double rowSum = 0;
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                double unit = columnUnit[c];
                weights[i] = (float)((responsePlus[i] - responseMinus[i]) * unit);
                double noisePlus = gp[i] * acrossPlus[i], noiseMinus = gm[i] * acrossMinus[i];
                if (noiseWeights.Length != 0) noiseWeights[i] = (float)((noisePlus * noisePlus + noiseMinus * noiseMinus) * unit * unit);
                rowSum += noisePlus * acrossPlus[i] + noiseMinus * acrossMinus[i];
            }
            _rowConductance[r] = (float)rowSum;
        }
    }

    /// <summary>One sample through both circuits: outputs y (units) with read noise when <paramref name="z"/> is given; returns the cell power (W).</summary>
    private double EvaluateWired(ReadOnlySpan<float> x, Span<float> y, Span<double> workspace, Span<float> z, in ReadContext read, int row, ref CounterRng rng)
    {
        int rows = Plan.RowCount, cols = Plan.ColCount;
        var volts = workspace[..rows];
        var plusCurrents = workspace.Slice(rows, cols);
        var plusSquares = workspace.Slice(rows + cols, cols);
        var minusCurrents = workspace.Slice(rows + 2 * cols, cols);
        var minusSquares = workspace.Slice(rows + 3 * cols, cols);
        var solver = workspace[(rows + 4 * cols)..];
        for (int r = 0; r < rows; r++) volts[r] = (double)x[r] * _voltsPerUnit;
        var plus = _plus!.Solve(volts, plusCurrents, plusSquares, solver);
        var minus = _minus!.Solve(volts, minusCurrents, minusSquares, solver);
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

    /// <summary>A pooled workspace for one Evaluate call (empty when the wires are ideal), so the hot path allocates nothing.</summary>
    private readonly struct WiredWorkspace : IDisposable
    {
        private readonly double[]? _buffer;
        private readonly int _length;

        private WiredWorkspace(double[]? buffer, int length) => (_buffer, _length) = (buffer, length);

        public Span<double> Span => _buffer is null ? default : _buffer.AsSpan(0, _length);

        public static WiredWorkspace Rent(CrossbarCircuit? circuit)
        {
            if (circuit is null) return default;
            int length = circuit.Rows + 4 * circuit.Cols + circuit.WorkspaceLength;
            return new WiredWorkspace(ArrayPool<double>.Shared.Rent(length), length);
        }

        public void Dispose()
        {
            if (_buffer is not null) ArrayPool<double>.Shared.Return(_buffer);
        }
    }
}
