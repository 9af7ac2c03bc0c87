using System.Numerics.Tensors;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>
/// A crossbar's wires themselves: the drops a set of cell currents causes along them (L·i), the exact solve of every
/// word line or every bit line for the other family's present state (Thomas pivots factored once), and the bounds the
/// wires' coupling K puts on <see cref="CrossbarCircuit"/>'s series path.
/// </summary>
internal sealed class CrossbarLines
{
    private readonly double[] _g;                      // [rows × cols] siemens (the circuit's)
    private readonly double[] _wordPivots, _bitPivots; // [rows × cols] inverse Thomas pivots along each word line / bit line
    private readonly double _rDriver, _rWord, _rBit, _rTia, _gWord, _gBit;

    public CrossbarLines(int rows, int cols, double[] conductance, WireParameters wires)
    {
        (Rows, Cols, _g) = (rows, cols, conductance);
        (_rDriver, _rWord, _rBit, _rTia) = (wires.DriverOhms, wires.WordLineOhmsPerCell, wires.BitLineOhmsPerCell, wires.TiaInputOhms);
        _gWord = _rWord > 0 ? 1 / _rWord : 0;
        _gBit = _rBit > 0 ? 1 / _rBit : 0;
        _wordPivots = new double[rows * cols];
        _bitPivots = new double[rows * cols];
        if (HasWordLines) FactorWordLines();
        if (HasBitLines) FactorBitLines();
    }

    public int Rows { get; }
    public int Cols { get; }
    public bool HasWordLines => _rWord > 0;
    public bool HasBitLines => _rBit > 0;

    private ReadOnlySpan<double> Row(double[] values, int r) => values.AsSpan(r * Cols, Cols);

    /// <summary>Word-line drops and bit-line rises that cell currents <paramref name="cellCurrents"/> cause (L·i); may alias <paramref name="drops"/>.</summary>
    public void WireDrops(ReadOnlySpan<double> cellCurrents, Span<double> drops, Span<double> rises, Span<double> column)
    {
        int rows = Rows, cols = Cols;
        // Bit lines first, while cellCurrents is intact: prefix sums down each column (current below row r) …
        var total = column[..cols];
        var suffix = column.Slice(cols, cols);
        total.Clear();
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(total, cellCurrents.Slice(r * cols, cols), total);
            total.CopyTo(rises.Slice(r * cols, cols));
        }
        // … then the rise at row r is R_tia·(column total) + R_bl·Σ_{k ≥ r} (current below row k).
        suffix.Clear();
        for (int r = rows - 1; r >= 0; r--)
        {
            var row = rises.Slice(r * cols, cols);
            TensorPrimitives.Add(suffix, row, suffix);
            TensorPrimitives.Multiply(total, _rTia, row);
            TensorPrimitives.MultiplyAdd(suffix, _rBit, row, row);
        }
        // Word lines: suffix sums along the row (current beyond column k), then their prefix sums.
        for (int r = 0; r < rows; r++)
        {
            var row = drops.Slice(r * cols, cols);
            var source = cellCurrents.Slice(r * cols, cols);
            double beyond = 0;
            for (int c = cols - 1; c >= 0; c--) { beyond += source[c]; row[c] = beyond; }
            double driver = _rDriver * row[0], path = 0;
            for (int c = 0; c < cols; c++) { path += row[c]; row[c] = driver + _rWord * path; }
        }
    }

    // Word line r: (a_left + a_right + G_c)·w_c − g_w·w_{c−1} − g_w·w_{c+1} = G_c·(V_r − v_c); the driver
    // end (a_left of column 0 = 1/(R_drv + R_wl)) holds zero drop, the far end is open.
    private void FactorWordLines()
    {
        double first = 1 / (_rDriver + _rWord);
        for (int r = 0; r < Rows; r++)
        {
            double previous = 0;
            for (int c = 0; c < Cols; c++)
            {
                double diagonal = (c == 0 ? first : _gWord) + (c < Cols - 1 ? _gWord : 0) + _g[r * Cols + c];
                double pivot = c == 0 ? diagonal : diagonal - _gWord * _gWord * previous;
                _wordPivots[r * Cols + c] = previous = 1 / pivot;
            }
        }
    }

    public void SolveWordLines(ReadOnlySpan<double> volts, ReadOnlySpan<double> rises, Span<double> drops)
    {
        for (int r = 0; r < Rows; r++)
        {
            int at = r * Cols;
            double y = 0;
            for (int c = 0; c < Cols; c++)
                drops[at + c] = y = (_g[at + c] * (volts[r] - rises[at + c]) + _gWord * y) * _wordPivots[at + c];
            for (int c = Cols - 2; c >= 0; c--) drops[at + c] += _gWord * _wordPivots[at + c] * drops[at + c + 1];
        }
    }

    // Bit line c: (b_up + b_down + G_r)·v_r − g_b·v_{r−1} − g_b·v_{r+1} = G_r·(V_r − w_r); row 0 is the open
    // end, below the last row 1/(R_bl + R_tia) leads to the TIA's virtual ground.
    private void FactorBitLines()
    {
        double last = 1 / (_rBit + _rTia);
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++)
            {
                double diagonal = (r > 0 ? _gBit : 0) + (r < Rows - 1 ? _gBit : last) + _g[r * Cols + c];
                double pivot = r == 0 ? diagonal : diagonal - _gBit * _gBit * _bitPivots[(r - 1) * Cols + c];
                _bitPivots[r * Cols + c] = 1 / pivot;
            }
    }

    public void SolveBitLines(ReadOnlySpan<double> volts, ReadOnlySpan<double> drops, Span<double> rises, Span<double> scratch)
    {
        int cols = Cols;
        for (int r = 0; r < Rows; r++)
        {
            var row = rises.Slice(r * cols, cols);
            TensorPrimitives.Subtract(volts[r], drops.Slice(r * cols, cols), row);
            TensorPrimitives.Multiply(row, Row(_g, r), row);
            if (r > 0) TensorPrimitives.MultiplyAdd(rises.Slice((r - 1) * cols, cols), _gBit, row, row);
            TensorPrimitives.Multiply(row, Row(_bitPivots, r), row);
        }
        for (int r = Rows - 2; r >= 0; r--)
        {
            TensorPrimitives.Multiply(Row(_bitPivots, r), rises.Slice((r + 1) * cols, cols), scratch);
            TensorPrimitives.MultiplyAdd(scratch, _gBit, rises.Slice(r * cols, cols), rises.Slice(r * cols, cols));
        }
    }

    /// <summary>The series path's error bound at each order 1…<paramref name="maxOrder"/> (the coupling's powers K^k·G).</summary>
    public double[] SeriesErrorBounds(int maxOrder)
    {
        var bounds = new double[maxOrder];
        int n = Rows * Cols;
        double gMax = 0;
        foreach (double g in _g) gMax = Math.Max(gMax, g);
        if ((!HasWordLines && !HasBitLines) || gMax == 0) return bounds;
        var x = (double[])_g.Clone();
        var drops = new double[n];
        var rises = new double[n];
        var column = new double[2 * Cols];
        for (int power = 1; power <= maxOrder + 1; power++) // x ← K·x: K^power·G
        {
            WireDrops(x, drops, rises, column);
            for (int i = 0; i < n; i++) x[i] = _g[i] * (drops[i] + rises[i]);
            if (power == 1) continue;
            double worst = 0;
            for (int c = 0; c < Cols; c++)
            {
                double sum = 0;
                for (int r = 0; r < Rows; r++) sum += x[r * Cols + c];
                worst = Math.Max(worst, sum);
            }
            bounds[power - 2] = 2 * worst / (Rows * gMax);
        }
        return bounds;
    }
}
