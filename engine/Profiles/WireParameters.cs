using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>How a tile's node voltages are found when its wires have resistance.</summary>
public enum CircuitSolver
{
    /// <summary>The series at the lowest order whose error bound is within <see cref="WireParameters.LinearMaxError"/> for the tile, iterative when none is.</summary>
    Auto,
    /// <summary>First-order correction: cell currents from the wire drops the ideal currents cause (error ≤ the tile's bound, second order in G·R).</summary>
    Linear,
    /// <summary>The first-order correction continued (Neumann series of the wire coupling) to the lowest order, at most 4, whose bound is within <see cref="WireParameters.LinearMaxError"/>.</summary>
    Series,
    /// <summary>Line relaxation (block Gauss–Seidel: each word line, then each bit line, solved exactly) to <see cref="WireParameters.Tolerance"/>.</summary>
    Iterative,
    /// <summary>Banded Cholesky of the whole nodal system: the oracle; cost grows as rows × cols³.</summary>
    Direct,
}

/// <summary>How often a tile's circuits are solved.</summary>
public enum WireEvaluation
{
    /// <summary>Once per tile at programming, one solve per row: the circuit is linear, so every MVM's output
    /// currents are exactly the superposition Σ_r V_r·A_r of the unit responses, at the ideal tile's cost. Cell
    /// power and read-noise variance use each cell's voltage attenuation under uniform drive (an approximation).</summary>
    Superposition,
    /// <summary>Every MVM, every sample: outputs, cell power and read-noise variance from that MVM's own node voltages.</summary>
    PerSample,
}

/// <summary>
/// Parasitic resistances of a crossbar tile (IR drop). A row's input driver feeds its word line at the
/// array's left edge (column 0); the word line runs along the row with one segment per cell pitch and
/// ends open after the last column. Each column's bit line runs down the rows with one segment per
/// cell pitch into the TIA's virtual ground below the last row. G⁺ and G⁻ sit in two identical arrays
/// that share the inputs (CrossSim's default non-interleaved balanced core). All zero (the default):
/// ideal wires, and the tile computes the exact matrix–vector product.
/// </summary>
public sealed record WireParameters
{
    /// <summary>Word-line resistance between adjacent cells (and from the driver to the first cell), ohms.</summary>
    public double WordLineOhmsPerCell { get; init; }

    /// <summary>Bit-line resistance between adjacent cells (and from the last cell to the TIA), ohms.</summary>
    public double BitLineOhmsPerCell { get; init; }

    /// <summary>Output resistance of a row's input driver, ohms (in series with the word line's first segment).</summary>
    public double DriverOhms { get; init; }

    /// <summary>Input resistance of a column's TIA (its virtual ground is not ideal), ohms.</summary>
    public double TiaInputOhms { get; init; }

    /// <summary>Multiplies all four resistances: asks how the same tile fares with wires k× as resistive (0 = ideal wires).</summary>
    public double ResistanceScale { get; init; } = 1;

    public CircuitSolver Solver { get; init; } = CircuitSolver.Auto;

    public WireEvaluation Evaluation { get; init; } = WireEvaluation.Superposition;

    /// <summary>Iterative solver: stop when no column current changed in a sweep by more than this fraction of the
    /// largest column's full scale at this input (its conductances × the largest input voltage).</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Iterative solver: sweeps before the direct solve finishes the job.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>Auto and series: the largest bound on a column's error, as a fraction of its full-scale current, that the series path may have.</summary>
    public double LinearMaxError { get; init; } = 1e-3;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsIdeal => ResistanceScale == 0 || (WordLineOhmsPerCell == 0 && BitLineOhmsPerCell == 0 && DriverOhms == 0 && TiaInputOhms == 0);

    /// <summary>The resistances the circuit sees: each × <see cref="ResistanceScale"/>.</summary>
    public WireParameters Scaled() => ResistanceScale == 1 ? this : this with
    {
        WordLineOhmsPerCell = WordLineOhmsPerCell * ResistanceScale, BitLineOhmsPerCell = BitLineOhmsPerCell * ResistanceScale,
        DriverOhms = DriverOhms * ResistanceScale, TiaInputOhms = TiaInputOhms * ResistanceScale, ResistanceScale = 1,
    };

    internal IEnumerable<string> Problems()
    {
        foreach (var (key, ohms) in new[] { ("word_line_ohms_per_cell", WordLineOhmsPerCell), ("bit_line_ohms_per_cell", BitLineOhmsPerCell), ("driver_ohms", DriverOhms), ("tia_input_ohms", TiaInputOhms) })
            if (!NonNegative(ohms)) yield return $"wires.{key} must be ≥ 0 (ohms)";
        // A zero-resistance line with a resistive terminal would make the whole line one node: a
        // different circuit from the one the solver models, so it is refused rather than approximated.
        if (WordLineOhmsPerCell == 0 && DriverOhms > 0) yield return "wires.driver_ohms > 0 needs wires.word_line_ohms_per_cell > 0 (the solver models a word line of cell segments)";
        if (BitLineOhmsPerCell == 0 && TiaInputOhms > 0) yield return "wires.tia_input_ohms > 0 needs wires.bit_line_ohms_per_cell > 0 (the solver models a bit line of cell segments)";
        if (!NonNegative(ResistanceScale)) yield return "wires.resistance_scale must be ≥ 0";
        if (!(Tolerance > 0 && Tolerance < 1)) yield return $"wires.tolerance must be in (0, 1) (got {Tolerance})";
        if (MaxIterations is < 1 or > 100_000) yield return $"wires.max_iterations must be 1 … 100000 (got {MaxIterations})";
        if (!(LinearMaxError > 0 && LinearMaxError < 1)) yield return $"wires.linear_max_error must be in (0, 1) (got {LinearMaxError})";
    }
}
