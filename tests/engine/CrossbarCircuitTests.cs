using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Tests;

/// <summary>IR drop: the crossbar's wires solved per MVM, pinned to a hand-solved array and to the direct nodal solve.</summary>
public class CrossbarCircuitTests
{
    private static WireParameters Wires(double word, double bit, double driver = 0, double tia = 0, CircuitSolver solver = CircuitSolver.Iterative, double tolerance = 1e-14) => new()
    {
        WordLineOhmsPerCell = word, BitLineOhmsPerCell = bit, DriverOhms = driver, TiaInputOhms = tia,
        Solver = solver, Tolerance = tolerance, MaxIterations = 100_000,
    };

    private static (double[] Currents, double[] Squares, CircuitReadout Readout) Solve(CrossbarCircuit circuit, double[] volts)
    {
        var currents = new double[circuit.Cols];
        var squares = new double[circuit.Cols];
        var readout = circuit.Solve(volts, currents, squares, new double[circuit.WorkspaceLength]);
        return (currents, squares, readout);
    }

    private static (double[] G, double[] V) RandomArray(int rows, int cols, ulong seed, double vMax = 0.4)
    {
        var rng = Streams.Rng(seed, StreamPurpose.ReadNoise, 99);
        var g = new double[rows * cols];
        var v = new double[rows];
        for (int i = 0; i < g.Length; i++) g[i] = (1 + 39 * rng.Uniform((ulong)i)) * 1e-6;
        for (int r = 0; r < rows; r++) v[r] = vMax * (2 * rng.Uniform((ulong)(g.Length + r)) - 1);
        return (g, v);
    }

    private static double[] Ideal(double[] g, double[] v, int cols)
    {
        var i = new double[cols];
        for (int r = 0; r < v.Length; r++)
            for (int c = 0; c < cols; c++) i[c] += g[r * cols + c] * v[r];
        return i;
    }

    private static double MaxRelative(double[] actual, double[] expected)
    {
        double scale = expected.Max(Math.Abs), worst = 0;
        for (int c = 0; c < expected.Length; c++) worst = Math.Max(worst, Math.Abs(actual[c] - expected[c]) / scale);
        return worst;
    }

    // R_wl = 1 Ω, R_bl = 2 Ω, R_drv = 0.5 Ω, R_tia = 0.25 Ω; G = [[1, 1/2], [1/4, 1]] S; V = (1, 1/2) V.
    // KCL, currents leaving each node:
    //   u_r0: (u_r0 − V_r)/(R_drv + R_wl) + (u_r0 − u_r1)/R_wl + G_r0·(u_r0 − v_r0) = 0
    //   u_r1: (u_r1 − u_r0)/R_wl + G_r1·(u_r1 − v_r1) = 0
    //   v_0c: G_0c·(v_0c − u_0c) + (v_0c − v_1c)/R_bl = 0
    //   v_1c: G_1c·(v_1c − u_1c) + (v_1c − v_0c)/R_bl + v_1c/(R_bl + R_tia) = 0
    // Eliminated by hand in exact fractions; I_c = v_1c/(R_bl + R_tia).
    private static readonly double[] HandWord = [13967.0 / 20130, 6179.0 / 10065, 1328.0 / 3355, 463.0 / 1342];
    private static readonly double[] HandBit = [17201.0 / 30195, 914.0 / 2013, 98.0 / 305, 987.0 / 3355];
    private static readonly double[] HandCurrents = [392.0 / 2745, 1316.0 / 10065];
    private static readonly double[] HandG = [1, 0.5, 0.25, 1];
    private static readonly double[] HandV = [1, 0.5];

    [Fact]
    public void A_two_by_two_array_matches_its_hand_solved_node_voltages_and_currents()
    {
        var wires = Wires(1, 2, 0.5, 0.25);
        var circuit = new CrossbarCircuit(2, 2, HandG, wires);
        var (word, bit) = CircuitOracle.Solve(circuit, HandV);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(HandWord[i], word[i], 1e-12);
            Assert.Equal(HandBit[i], bit[i], 1e-12);
        }
        double power = 0;
        for (int i = 0; i < 4; i++) power += HandG[i] * Math.Pow(HandWord[i] - HandBit[i], 2);
        foreach (var solver in new[] { CircuitSolver.Iterative, CircuitSolver.Direct })
        {
            var (currents, _, readout) = Solve(new CrossbarCircuit(2, 2, HandG, wires with { Solver = solver }), HandV);
            Assert.Equal(HandCurrents[0], currents[0], 1e-12);
            Assert.Equal(HandCurrents[1], currents[1], 1e-12);
            Assert.Equal(power, readout.CellPowerWatts, 1e-12);
        }
    }

    [Theory]
    [InlineData(1UL, 2.0, 1.0, 5.0, 3.0)]
    [InlineData(2UL, 0.62, 0.21, 1.0, 2.5)]
    [InlineData(3UL, 50.0, 20.0, 0.0, 0.0)]
    [InlineData(4UL, 5.0, 200.0, 100.0, 10.0)]
    public void Random_sixteen_by_sixteen_arrays_match_the_direct_solve(ulong seed, double word, double bit, double driver, double tia)
    {
        var (g, v) = RandomArray(16, 16, seed);
        var wires = Wires(word, bit, driver, tia);
        var iterative = Solve(new CrossbarCircuit(16, 16, g, wires), v);
        var direct = Solve(new CrossbarCircuit(16, 16, g, wires with { Solver = CircuitSolver.Direct }), v);
        Assert.True(MaxRelative(iterative.Currents, direct.Currents) < 1e-9, $"max relative difference {MaxRelative(iterative.Currents, direct.Currents):E2}");
        Assert.Equal(direct.Readout.CellPowerWatts, iterative.Readout.CellPowerWatts, 1e-9 * direct.Readout.CellPowerWatts);
        // Kirchhoff: what the cells conduct is what reaches the TIAs.
        var circuit = new CrossbarCircuit(16, 16, g, wires);
        var (_, bitNodes) = CircuitOracle.Solve(circuit, v);
        for (int c = 0; c < 16; c++)
            Assert.Equal(direct.Currents[c], bitNodes[15 * 16 + c] / (bit + tia), 1e-9 * direct.Currents.Max(Math.Abs));
        Assert.True(iterative.Readout.Sweeps > 1);
    }

    [Theory]
    [InlineData(CircuitSolver.Linear)]
    [InlineData(CircuitSolver.Series)]
    [InlineData(CircuitSolver.Iterative)]
    [InlineData(CircuitSolver.Direct)]
    public void Vanishing_wires_give_the_ideal_product(CircuitSolver solver)
    {
        var (g, v) = RandomArray(32, 24, 5);
        var (currents, squares, readout) = Solve(new CrossbarCircuit(32, 24, g, Wires(1e-12, 1e-12, 1e-12, 1e-12, solver)), v);
        Assert.True(MaxRelative(currents, Ideal(g, v, 24)) < 1e-12, $"{MaxRelative(currents, Ideal(g, v, 24)):E2}");
        double power = 0, square0 = 0;
        for (int r = 0; r < 32; r++)
        {
            for (int c = 0; c < 24; c++) power += g[r * 24 + c] * v[r] * v[r];
            square0 += Math.Pow(g[r * 24] * v[r], 2);
        }
        Assert.Equal(power, readout.CellPowerWatts, 1e-12 * power);
        Assert.Equal(square0, squares[0], 1e-12 * square0);
    }

    [Fact]
    public void Linearised_currents_stay_within_their_bound_and_the_error_is_second_order()
    {
        var (g, v) = RandomArray(32, 32, 6);
        double gMax = g.Max(), vMax = v.Max(Math.Abs), previous = double.NaN;
        foreach (double ohms in new[] { 4.0, 2.0, 1.0, 0.5 })
        {
            var wires = Wires(ohms, ohms / 2, ohms, ohms);
            var linear = new CrossbarCircuit(32, 32, g, wires with { Solver = CircuitSolver.Linear });
            var exact = Solve(new CrossbarCircuit(32, 32, g, wires with { Solver = CircuitSolver.Direct }), v).Currents;
            var approx = Solve(linear, v).Currents;
            double error = exact.Zip(approx, (a, b) => Math.Abs(a - b)).Max() / (32 * gMax * vMax);
            Assert.True(error <= linear.LinearErrorBound, $"R = {ohms}: error {error:E3} above the bound {linear.LinearErrorBound:E3}");
            if (!double.IsNaN(previous)) Assert.InRange(previous / error, 3.0, 5.0); // halving R quarters the error
            previous = error;
        }
    }

    [Fact]
    public void One_resistive_wire_family_is_solved_exactly_in_one_sweep()
    {
        var (g, v) = RandomArray(16, 16, 7);
        var wordOnly = Solve(new CrossbarCircuit(16, 16, g, Wires(3, 0, 2, 0)), v);
        Assert.Equal(1, wordOnly.Readout.Sweeps);
        // The same circuit with a bit line of negligible resistance, solved directly.
        var reference = Solve(new CrossbarCircuit(16, 16, g, Wires(3, 1e-9, 2, 0, CircuitSolver.Direct)), v);
        Assert.True(MaxRelative(wordOnly.Currents, reference.Currents) < 1e-9);
        var bitOnly = Solve(new CrossbarCircuit(16, 16, g, Wires(0, 3, 0, 2)), v);
        Assert.Equal(1, bitOnly.Readout.Sweeps);
        var bitReference = Solve(new CrossbarCircuit(16, 16, g, Wires(1e-9, 3, 0, 2, CircuitSolver.Direct)), v);
        Assert.True(MaxRelative(bitOnly.Currents, bitReference.Currents) < 1e-9);
    }

    [Fact]
    public void Each_series_order_stays_within_its_bound_and_auto_takes_the_lowest_that_suffices()
    {
        var (g, v) = RandomArray(64, 64, 8);
        double gMax = g.Max(), vMax = v.Max(Math.Abs);
        var wires = Wires(0.62, 0.21, 1, 2.6, CircuitSolver.Direct);
        var exact = Solve(new CrossbarCircuit(64, 64, g, wires), v).Currents;
        double previous = double.PositiveInfinity;
        for (double limit = 1e-2; limit >= 1e-7; limit /= 10)
        {
            var series = new CrossbarCircuit(64, 64, g, wires with { Solver = CircuitSolver.Series, LinearMaxError = limit });
            double error = exact.Zip(Solve(series, v).Currents, (a, b) => Math.Abs(a - b)).Max() / (64 * gMax * vMax);
            Assert.True(error <= series.ErrorBound, $"order {series.SeriesOrder}: error {error:E3} above its bound {series.ErrorBound:E3}");
            Assert.True(series.ErrorBound <= limit || series.SeriesOrder == CrossbarCircuit.MaxSeriesOrder);
            Assert.True(error <= previous);
            previous = error;
        }
        Assert.Equal(1, new CrossbarCircuit(64, 64, g, Wires(0.01, 0.01, solver: CircuitSolver.Auto)).SeriesOrder);
        var auto = new CrossbarCircuit(64, 64, g, wires with { Solver = CircuitSolver.Auto, LinearMaxError = 1e-4 });
        Assert.Equal(CircuitSolver.Series, auto.Solver);
        Assert.True(auto.SeriesOrder > 1 && auto.SeriesErrorBounds[auto.SeriesOrder - 2] > 1e-4 && auto.ErrorBound <= 1e-4);
        Assert.Equal(CircuitSolver.Iterative, new CrossbarCircuit(64, 64, g, Wires(5, 5, solver: CircuitSolver.Auto)).Solver);
    }

    private static TilePlan Plan(int rows, int cols) => new(0, 0, 0, 0, 0, rows, 0, cols, 0, 0, -1, new bool[rows], new int[rows], false);

    private static float[] TileOutputs(HardwareProfile profile, double[] gp, double[] gm, float[] x, int rows, int cols, out double watts)
    {
        var tile = new CrossbarTile(Plan(rows, cols), gp, gm, Enumerable.Repeat(1f, cols).ToArray(), profile);
        var y = new float[cols];
        watts = tile.Evaluate(x.ToArray(), y, 1, new ReadContext(1, 0, 0, 0)).CellPowerWatts;
        return y;
    }

    [Fact]
    public void A_tile_with_ideal_wires_is_bit_for_bit_the_ideal_tile_and_resistive_wires_shrink_its_outputs()
    {
        var ideal = HardwareProfile.Resolve("ideal");
        var (gp, v) = RandomArray(64, 64, 9);
        var (gm, _) = RandomArray(64, 64, 10);
        for (int i = 0; i < gm.Length; i++) gm[i] = 5e-6; // G⁻ at G_min: every weight positive
        var x = v.Select(a => (float)Math.Abs(a / ideal.Signal.VoltsPerUnit)).ToArray();
        var reference = TileOutputs(ideal, gp, gm, x, 64, 64, out double idealWatts);
        var zeroWires = ideal with { Wires = new WireParameters { Solver = CircuitSolver.Direct } };
        Assert.Equal(reference, TileOutputs(zeroWires, gp, gm, x, 64, 64, out double zeroWatts));
        Assert.Equal(idealWatts, zeroWatts);
        var tiny = TileOutputs(ideal with { Wires = Wires(1e-9, 1e-9) }, gp, gm, x, 64, 64, out double tinyWatts);
        for (int c = 0; c < 64; c++) Assert.Equal(reference[c], tiny[c], 1e-5 * Math.Abs(reference[c]));
        Assert.Equal(idealWatts, tinyWatts, 1e-5 * idealWatts);
        var lossy = TileOutputs(ideal with { Wires = Wires(2, 1, 1, 2) }, gp, gm, x, 64, 64, out double lossyWatts);
        for (int c = 0; c < 64; c++) Assert.True(lossy[c] < reference[c], $"column {c}: {lossy[c]} not below {reference[c]}");
        Assert.True(lossyWatts < idealWatts);
    }

    [Fact]
    public void Superposed_outputs_equal_per_sample_solves_and_uniform_drive_gives_the_same_power()
    {
        var ideal = HardwareProfile.Resolve("ideal");
        var (gp, v) = RandomArray(64, 48, 11);
        var (gm, _) = RandomArray(64, 48, 12);
        var wires = Wires(2, 1, 1, 2);
        var perSample = ideal with { Wires = wires with { Evaluation = WireEvaluation.PerSample } };
        var superposed = ideal with { Wires = wires with { Evaluation = WireEvaluation.Superposition } };
        var x = v.Select(a => (float)(a / ideal.Signal.VoltsPerUnit)).ToArray();
        var exact = TileOutputs(perSample, gp, gm, x, 64, 48, out _);
        var fast = TileOutputs(superposed, gp, gm, x, 64, 48, out _);
        double scale = exact.Max(Math.Abs);
        for (int c = 0; c < 48; c++) Assert.Equal(exact[c], fast[c], 1e-5 * scale);
        var uniform = Enumerable.Repeat(3f, 64).ToArray();
        TileOutputs(perSample, gp, gm, uniform, 64, 48, out double exactWatts);
        TileOutputs(superposed, gp, gm, uniform, 64, 48, out double fastWatts);
        Assert.Equal(exactWatts, fastWatts, 1e-5 * exactWatts);
    }

    [Fact]
    public void Resistance_scale_multiplies_every_wire_and_zero_means_ideal_wires()
    {
        var (g, v) = RandomArray(16, 16, 13);
        var scaled = Solve(new CrossbarCircuit(16, 16, g, Wires(1, 0.5, 2, 3) with { ResistanceScale = 4 }), v).Currents;
        var explicitly = Solve(new CrossbarCircuit(16, 16, g, Wires(4, 2, 8, 12)), v).Currents;
        Assert.Equal(explicitly, scaled);
        Assert.True((Wires(1, 0.5, 2, 3) with { ResistanceScale = 0 }).IsIdeal);
    }

    [Theory]
    [InlineData("{\"driver_ohms\": 5}", "wires.driver_ohms > 0 needs wires.word_line_ohms_per_cell > 0")]
    [InlineData("{\"tia_input_ohms\": 5}", "wires.tia_input_ohms > 0 needs wires.bit_line_ohms_per_cell > 0")]
    [InlineData("{\"word_line_ohms_per_cell\": -1}", "wires.word_line_ohms_per_cell must be ≥ 0")]
    [InlineData("{\"word_line_ohms_per_cell\": 1, \"tolerance\": 0}", "wires.tolerance must be in (0, 1)")]
    [InlineData("{\"word_line_ohms_per_cell\": 1, \"solver\": \"spice\"}", "invalid value")]
    public void Impossible_wires_are_refused_by_key(string wires, string message)
    {
        string json = HardwareProfile.PresetText("ideal").TrimEnd().TrimEnd('}') + $", \"wires\": {wires} }}";
        var e = Assert.Throws<UserInputException>(() => HardwareProfile.Parse(json, "test.json"));
        Assert.Contains(message, e.Message);
    }
}
