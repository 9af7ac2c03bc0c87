using System.Numerics.Tensors;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>What one solve of a crossbar circuit found.</summary>
/// <param name="CellPowerWatts">Σ over cells of G·ΔV², with ΔV the solved voltage across each cell.</param>
/// <param name="Sweeps">Line-relaxation sweeps the iterative solver took (0 for the linearised and direct paths).</param>
public readonly record struct CircuitReadout(double CellPowerWatts, int Sweeps);

/// <summary>
/// One resistive array with resistive wires (<see cref="WireParameters"/> gives the topology). The unknowns
/// are each cell's word-line drop w = V_r − u (u the word-line node) and bit-line rise v (the bit-line node;
/// the TIA holds 0 V behind its input resistance); the cell conducts i = G·(V_r − w − v).
/// <para>Written in currents the circuit is i = G∘V − K·i, where K = diag(G)·L and L is the wires' path
/// resistance: a current entering the word line at column c′ drops (R_drv + R_wl·(min(c, c′) + 1)) at
/// column c; one entering the bit line at row r′ raises row r by (R_tia + R_bl·(rows − max(r, r′))). The
/// linearised path takes one step from the ideal currents, i₁ = G∘V − K·G∘V, whose error is exactly
/// K²·i* ≥ 0 entrywise bounded by 2·V_max·K²·G (cell currents cannot exceed G·2·V_max in a network of
/// resistors driven by inputs within ±V_max); <see cref="LinearErrorBound"/> is that bound summed over
/// the worst column, as a fraction of the column's full scale rows·G_max·V_max. Continuing the same
/// fixed point (the Neumann series of K) to order m leaves K^(m+1)·i*, bounded the same way
/// (<see cref="SeriesErrorBounds"/>): the series path takes the lowest order whose bound is small enough.</para>
/// <para>The iterative path relaxes whole lines: every bit line solved exactly (a tridiagonal system) for
/// the present word-line drops, then every word line for the present bit-line rises — block Gauss–Seidel
/// on a symmetric positive-definite system, so it converges for any resistances; when one family of wires
/// is ideal one sweep is exact. Tridiagonal pivots depend only on the conductances and are factored once.</para>
/// Immutable after construction: a workspace from the caller makes a solve allocation-free and thread-safe.
/// </summary>
public sealed class CrossbarCircuit
{
    private readonly double[] _g;                   // [rows × cols] siemens
    private readonly CrossbarLines _lines;
    private readonly double _maxColumnConductance;
    private readonly WireParameters _wires;

    public CrossbarCircuit(int rows, int cols, ReadOnlySpan<double> conductance, WireParameters wires)
    {
        if (rows < 1 || cols < 1 || conductance.Length != rows * cols) throw new ArgumentException("conductances must be rows × cols");
        Rows = rows;
        Cols = cols;
        wires = wires.Scaled();
        _wires = wires;
        _g = conductance.ToArray();
        _lines = new CrossbarLines(rows, cols, _g, wires);
        for (int c = 0; c < cols; c++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += _g[r * cols + c];
            _maxColumnConductance = Math.Max(_maxColumnConductance, sum);
        }
        SeriesErrorBounds = _lines.SeriesErrorBounds(MaxSeriesOrder);
        int order = Array.FindIndex(SeriesErrorBounds, b => b <= wires.LinearMaxError) + 1;
        Solver = wires.Solver != CircuitSolver.Auto ? wires.Solver : order > 0 ? CircuitSolver.Series : CircuitSolver.Iterative;
        SeriesOrder = Solver switch { CircuitSolver.Linear => 1, CircuitSolver.Series => order > 0 ? order : MaxSeriesOrder, _ => 0 };
    }

    public int Rows { get; }
    public int Cols { get; }
    public bool HasWordLines => _lines.HasWordLines;
    public bool HasBitLines => _lines.HasBitLines;
    public ReadOnlySpan<double> Conductance => _g;

    /// <summary>The wires as this circuit sees them (<see cref="WireParameters.ResistanceScale"/> applied).</summary>
    public WireParameters Wires => _wires;

    /// <summary>The path <see cref="Solve"/> takes (Auto resolved for this array).</summary>
    public CircuitSolver Solver { get; }

    /// <summary>Bound on the linearised path's error in any column current, as a fraction of rows × G_max × V_max.</summary>
    public double LinearErrorBound => SeriesErrorBounds[0];

    /// <summary>The series path's bound at orders 1 … <see cref="MaxSeriesOrder"/> (fractions of full scale).</summary>
    public double[] SeriesErrorBounds { get; }

    /// <summary>Terms of the series this array's solve takes (1 for the linearised path, 0 when it does not take the series).</summary>
    public int SeriesOrder { get; }

    /// <summary>Beyond this many terms line relaxation is cheaper (one sweep costs about three series terms).</summary>
    public const int MaxSeriesOrder = 4;

    /// <summary>The error bound of the path this array takes: 0 for the iterative (to tolerance) and direct paths.</summary>
    public double ErrorBound => SeriesOrder > 0 ? SeriesErrorBounds[SeriesOrder - 1] : 0;

    /// <summary>Doubles of workspace one <see cref="Solve"/> needs.</summary>
    public int WorkspaceLength => 2 * Rows * Cols + 3 * Cols;

    /// <summary>
    /// Solves for input voltages <paramref name="volts"/> (one per row) and reads out each column's current (A) and
    /// Σ_r (G·ΔV)² (A², the column's read-noise variance over σ²).
    /// </summary>
    public CircuitReadout Solve(ReadOnlySpan<double> volts, Span<double> currents, Span<double> currentSquares, Span<double> workspace)
    {
        int n = Rows * Cols;
        var drops = workspace[..n];
        var rises = workspace.Slice(n, n);
        var column = workspace.Slice(2 * n, 2 * Cols);
        var scratch = workspace.Slice(2 * n + 2 * Cols, Cols);
        int sweeps = Solver switch
        {
            CircuitSolver.Linear or CircuitSolver.Series => Series(volts, drops, rises, column, scratch),
            CircuitSolver.Direct when HasWordLines && HasBitLines => DirectSolve(volts, drops, rises),
            _ => Relax(volts, drops, rises, currents, column[..Cols], scratch),
        };
        return new CircuitReadout(Readout(volts, drops, rises, currents, currentSquares, scratch), sweeps);
    }

    /// <summary>Solves and writes the voltage across every cell, [rows × cols] volts.</summary>
    public void SolveCells(ReadOnlySpan<double> volts, Span<double> across, Span<double> workspace)
    {
        var currents = new double[Cols];
        Solve(volts, currents, new double[Cols], workspace);
        int n = Rows * Cols;
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++)
            {
                int i = r * Cols + c;
                across[i] = volts[r] - workspace[i] - workspace[n + i];
            }
    }

    /// <summary>The unit responses: row r holds the column currents (A) that 1 V on input r alone draws.</summary>
    public double[] ResponseMatrix()
    {
        var response = new double[Rows * Cols];
        var volts = new double[Rows];
        var work = new double[WorkspaceLength];
        var squares = new double[Cols];
        for (int r = 0; r < Rows; r++)
        {
            volts[r] = 1;
            Solve(volts, response.AsSpan(r * Cols, Cols), squares, work);
            volts[r] = 0;
        }
        return response;
    }

    /// <summary>i_{k+1} = G∘(V − L·i_k) from i_0 = G∘V, <see cref="SeriesOrder"/> times: the wire drops of the last iterate stay in drops/rises.</summary>
    private int Series(ReadOnlySpan<double> volts, Span<double> drops, Span<double> rises, Span<double> column, Span<double> cell)
    {
        for (int r = 0; r < Rows; r++) TensorPrimitives.Multiply(Row(_g, r), volts[r], drops.Slice(r * Cols, Cols));
        _lines.WireDrops(drops, drops, rises, column);
        for (int term = 1; term < SeriesOrder; term++)
        {
            for (int r = 0; r < Rows; r++)
            {
                CellCurrents(volts, drops, rises, r, cell);
                cell.CopyTo(drops.Slice(r * Cols, Cols));
            }
            _lines.WireDrops(drops, drops, rises, column);
        }
        return 0;
    }

    private int DirectSolve(ReadOnlySpan<double> volts, Span<double> drops, Span<double> rises)
    {
        var (word, bit) = CircuitOracle.Solve(this, volts);
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++)
            {
                int i = r * Cols + c;
                drops[i] = volts[r] - word[i];
                rises[i] = bit[i];
            }
        return 0;
    }

    private int Relax(ReadOnlySpan<double> volts, Span<double> drops, Span<double> rises, Span<double> currents, Span<double> previous, Span<double> scratch)
    {
        drops.Clear();
        rises.Clear();
        if (!HasWordLines || !HasBitLines) // the other family holds still: one exact line solve is the answer
        {
            if (HasBitLines) _lines.SolveBitLines(volts, drops, rises, scratch);
            else _lines.SolveWordLines(volts, rises, drops);
            return 1;
        }
        double vMax = 0;
        foreach (double v in volts) vMax = Math.Max(vMax, Math.Abs(v));
        double threshold = _wires.Tolerance * vMax * _maxColumnConductance;
        ColumnCurrents(volts, drops, rises, previous, scratch);
        for (int sweep = 1; sweep <= _wires.MaxIterations; sweep++)
        {
            _lines.SolveBitLines(volts, drops, rises, scratch);
            _lines.SolveWordLines(volts, rises, drops);
            ColumnCurrents(volts, drops, rises, currents, scratch);
            double change = 0;
            for (int c = 0; c < Cols; c++) change = Math.Max(change, Math.Abs(currents[c] - previous[c]));
            if (change <= threshold) return sweep;
            currents.CopyTo(previous);
        }
        // Block Gauss–Seidel always converges, but slowly when G·R·n² approaches 1: the direct solve
        // finishes what the sweep budget could not, so no caller ever reads an unconverged state.
        DirectSolve(volts, drops, rises);
        return _wires.MaxIterations;
    }

    private double Readout(ReadOnlySpan<double> volts, ReadOnlySpan<double> drops, ReadOnlySpan<double> rises, Span<double> currents, Span<double> currentSquares, Span<double> cell)
    {
        currents[..Cols].Clear();
        currentSquares[..Cols].Clear();
        double power = 0;
        for (int r = 0; r < Rows; r++)
        {
            CellCurrents(volts, drops, rises, r, cell);
            TensorPrimitives.Add(currents[..Cols], cell, currents[..Cols]);
            // Σ_c G·ΔV² = Σ_c i·ΔV, with ΔV = i/G: summed as i² / G would divide by zero for a cell at 0 S.
            power += volts[r] * TensorPrimitives.Sum(cell) - TensorPrimitives.Dot(cell, drops.Slice(r * Cols, Cols)) - TensorPrimitives.Dot(cell, rises.Slice(r * Cols, Cols));
            TensorPrimitives.MultiplyAdd(cell, cell, currentSquares[..Cols], currentSquares[..Cols]);
        }
        return power;
    }

    private void ColumnCurrents(ReadOnlySpan<double> volts, ReadOnlySpan<double> drops, ReadOnlySpan<double> rises, Span<double> currents, Span<double> cell)
    {
        currents[..Cols].Clear();
        for (int r = 0; r < Rows; r++)
        {
            CellCurrents(volts, drops, rises, r, cell);
            TensorPrimitives.Add(currents[..Cols], cell, currents[..Cols]);
        }
    }

    /// <summary>Row <paramref name="r"/>'s cell currents G·(V_r − w − v).</summary>
    private void CellCurrents(ReadOnlySpan<double> volts, ReadOnlySpan<double> drops, ReadOnlySpan<double> rises, int r, Span<double> cell)
    {
        TensorPrimitives.Add(drops.Slice(r * Cols, Cols), rises.Slice(r * Cols, Cols), cell);
        TensorPrimitives.Subtract(volts[r], cell, cell);
        TensorPrimitives.Multiply(cell, Row(_g, r), cell);
    }

    private ReadOnlySpan<double> Row(double[] values, int r) => values.AsSpan(r * Cols, Cols);
}
