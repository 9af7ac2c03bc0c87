using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>What IR drop costs one tile size in the worst case.</summary>
/// <param name="WorstColumnError">How far the column furthest from driver and TIA falls below its ideal current (fraction).</param>
/// <param name="LinearErrorBound">The linearised path's bound for this array (fraction of full scale).</param>
/// <param name="Solver">The path <c>auto</c> takes for this array, with its series order (0 unless the series) and the sweeps relaxation took.</param>
public sealed record TileSizeIrDrop(int Rows, int Cols, double WorstColumnError, double LinearErrorBound, CircuitSolver Solver, int SeriesOrder, int Sweeps)
{
    public string AutoPath => Solver == CircuitSolver.Series ? (SeriesOrder == 1 ? "linear" : $"series, order {SeriesOrder}") : $"iterative, {Sweeps} sweeps";
}

/// <summary>
/// Tile-size advice under IR drop: for each square size, the array every cell of which is at G_max, driven
/// with every input at the DAC's full scale — the most current the wires can be asked to carry, so the
/// largest drop any mapping can see — solved as a circuit. A designer picks the largest tile whose worst
/// column error the network tolerates (or maps large-magnitude weights near the drivers and TIAs).
/// </summary>
public static class IrDropAdvice
{
    public static readonly IReadOnlyList<int> Sizes = [16, 32, 64, 128, 256];

    public static IReadOnlyList<TileSizeIrDrop> ForProfile(HardwareProfile profile) =>
        profile.Wires.IsIdeal ? [] : Sizes.Append(profile.Mapping.TileRows).Distinct().Order().Select(n => WorstCase(profile, n, n)).ToList();

    public static TileSizeIrDrop WorstCase(HardwareProfile profile, int rows, int cols)
    {
        double g = profile.Device.GMaxMicrosiemens * 1e-6, volts = profile.Dac.FullScaleVolts;
        var circuit = new CrossbarCircuit(rows, cols, Enumerable.Repeat(g, rows * cols).ToArray(), profile.Wires with { Solver = CircuitSolver.Iterative });
        var currents = new double[cols];
        var readout = circuit.Solve(Enumerable.Repeat(volts, rows).ToArray(), currents, new double[cols], new double[circuit.WorkspaceLength]);
        double ideal = rows * g * volts;
        double worst = currents.Max(i => (ideal - i) / ideal);
        var auto = new CrossbarCircuit(rows, cols, Enumerable.Repeat(g, rows * cols).ToArray(), profile.Wires with { Solver = CircuitSolver.Auto });
        return new TileSizeIrDrop(rows, cols, worst, auto.LinearErrorBound, auto.Solver, auto.SeriesOrder, readout.Sweeps);
    }
}
