using System.Globalization;
using System.Text;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Spice;

/// <summary>A row driver's feed into one array of a tile: the ammeter that measures its current and the node that drives it.</summary>
public sealed record RowFeed(string Ammeter, string DriverNode);

/// <summary>
/// One deployment's closed loop as an ngspice netlist, for one chip (its programmed conductances) and one start point:
/// <list type="bullet">
/// <item>every programmed device as a resistor 1/G, in its G⁺ or G⁻ array, with the profile's word-line, bit-line and driver
/// resistances when the wires are resistive;</item>
/// <item>one TIA per column (a single-pole op-amp with the profile's gain, the gain–bandwidth its settling needs and its
/// rails; feedback R_f = s_c/ΔG), G⁻'s bit line into its virtual ground and G⁺'s into a current mirror (input at ground)
/// that draws the same current out of it, so the output is R_f·(I⁺ − I⁻); the TIA's input resistance is the op-amp's own
/// R_f/(1 + A), not the profile's stated <c>wires.tia_input_ohms</c>;</item>
/// <item>the activation circuits as ReLU with the rails, a first-order lag at the activation op-amp's bandwidth and a
/// buffer that drives the next layer's word lines;</item>
/// <item>the integrators as inverting op-amp integrators (R·C = RC, the op-amp's gain, bandwidth, rails and the chip's input
/// offset), fed by ideal multiplying DACs f·x − c·g²·gain·score;</item>
/// <item>the controller's held outputs (embeddings and coefficients, quantised as the DACs deliver them) as
/// piecewise-linear sources that step at each update.</item>
/// </list>
/// Read noise and the SDE's noise are random draws with no circuit equivalent: a netlist is written for a profile without
/// them and the probability-flow ODE. Signals that cross chips (ADCs, links) are not modelled: the deployment must fit one chip.
/// </summary>
public sealed class LoopNetlist
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>An op-amp "without" a gain figure in the profile (integrator.opamp_gain null = infinite).</summary>
    private const double IdealGain = 1e7, NoRailVolts = 1e3;

    private LoopNetlist(string text, string[] stateNodes, RowFeed[] feeds, double stopSeconds)
    {
        Text = text;
        StateNodes = stateNodes;
        Feeds = feeds;
        StopSeconds = stopSeconds;
    }

    public string Text { get; }

    /// <summary>The integrator output nodes x_d (volts), in channel order.</summary>
    public IReadOnlyList<string> StateNodes { get; }

    /// <summary>Every row driver's feed into an array: the power the arrays draw is Σ v(driver)·i(ammeter).</summary>
    public IReadOnlyList<RowFeed> Feeds { get; }

    /// <summary>The generation's physical duration RC·(τ_start − τ_end).</summary>
    public double StopSeconds { get; }

    /// <summary>Refuses what a netlist cannot represent, naming it.</summary>
    public static void RequireRepresentable(ScoreNetwork network, HardwareProfile profile, AnalogRunOptions options, DeploymentPlan plan)
    {
        if (plan.ChipCount > 1 || plan.Tiles.Any(t => t.DigitisedRowCount > 0 || t.DigitisedOutputs) || plan.IntegratorDigitisedInputs.Any(d => d))
            throw new UserInputException($"the netlist models one chip's analog loop; this deployment uses {plan.ChipCount} chips or digitises signals (converters and links have no circuit here): give a profile whose mapping fits the network on one chip");
        if (network.Activation != HiddenActivation.Relu)
            throw new UserInputException($"the netlist models ReLU activation circuits; this network's hidden layers use {network.Activation}");
        if (options.Kind != Diffusion.SamplerKind.Ode)
            throw UserInputException.ForSetting("sampler", "must be ode: the SDE's injected noise is a random draw with no circuit equivalent");
        if (options.IsGuided) throw UserInputException.ForSetting("guidance", "is not modelled in the netlist (a second network pass)");
        if (profile.Device.ReadNoiseSigma > 0) throw UserInputException.ForSetting("profile", $"{profile.Name} has read noise: it is a random draw per update with no circuit equivalent; set device.read_noise_sigma to 0 for the comparison");
        if (!profile.Controller.IsHeld) throw UserInputException.ForSetting("profile", $"{profile.Name} has a continuous controller (update_period_seconds 0): the netlist's DAC sources are held per update period");
    }

    /// <param name="driver">The run's loop (plan, controller, integrator channels, timing), as the simulator drives it.</param>
    /// <param name="blocks">Every tile's programmed conductances and column scales, in plan order.</param>
    /// <param name="start">The start point x(τ_start) in units, one per channel.</param>
    /// <param name="labelRow">The embedding table's row: the sample's class, or the null row (0 for an unconditional network).</param>
    /// <param name="title">The netlist's first line (what it is of).</param>
    public static LoopNetlist Create(LaneDriver driver, HardwareProfile profile, IReadOnlyList<ConductanceMapping.ProgrammedBlock> blocks,
        ReadOnlySpan<double> start, int labelRow, string title)
    {
        var plan = driver.Plan;
        var network = driver.Network;
        RequireRepresentable(network, profile, driver.Options, plan);
        double vu = profile.Signal.VoltsPerUnit, window = (profile.Device.GMaxMicrosiemens - profile.Device.GMinMicrosiemens) * 1e-6;
        double gain = profile.Integrator.OpampGain ?? IdealGain;
        var sb = new StringBuilder();
        void Line(FormattableString s) => sb.Append(s.ToString(Inv)).Append('\n');

        Line($"* {title.ReplaceLineEndings(" ")}");
        Line($"* MemristorGrid closed loop: {plan.Tiles.Count} tiles, {network.InputDim} integrator channels, one network unit = {vu} V.");
        Line($"* Written by memgrid spice; docs/hardware-model.md, \"SPICE reference\", says what each part stands for.");
        Line($".options reltol=1e-5 abstol=1e-13 vntol=1e-8 method=gear");
        // A single-pole op-amp: DC gain a, gain-bandwidth gbw, output clamped at +-rail.
        Line($".subckt opamp inp inn out params: a=1e4 gbw=1e6 rail=1");
        Line($"g1 0 n1 inp inn {{a/1e3}}");
        Line($"r1 n1 0 1e3");
        Line($"c1 n1 0 {{a/(2*3.141592653589793*gbw*1e3)}}");
        Line($"b1 out 0 v = max(min(v(n1), rail), -rail)");
        Line($".ends opamp");

        // The controller: held DAC outputs, stepping at each update (1 ps edges).
        int segments = driver.SegmentCount, width = driver.Controller.Width;
        double rc = driver.TimeConstant, edge = 1e-12;
        var times = new double[segments];
        var drift = new double[segments];
        var scoreGain = new double[segments];
        var embeddings = new float[segments * width];
        var table = new float[driver.Controller.Rows * width];
        var clipped = new int[driver.Controller.Rows];
        for (int k = 0; k < segments; k++)
        {
            var segment = driver.SegmentAt(k);
            double tau = driver.Options.StartTime - segment.Start;
            times[k] = segment.Start * rc;
            (drift[k], scoreGain[k]) = driver.Controller.Coefficients(tau);
            driver.Controller.Embeddings(tau, table, clipped);
            table.AsSpan(labelRow * width, width).CopyTo(embeddings.AsSpan(k * width, width));
        }
        double stop = driver.Span * rc;
        Line($"* controller: drift f(tau), score gain c*g^2(tau) x the network's output gain {network.OutputGain}, and {width} embedding DACs");
        sb.Append("vf fco 0 ").Append(Pwl(times, k => drift[k], edge)).Append('\n');
        sb.Append("vg gco 0 ").Append(Pwl(times, k => scoreGain[k] * network.OutputGain, edge)).Append('\n');
        for (int j = 0; j < width; j++)
            sb.Append(Inv, $"ve{j} emb{j} 0 ").Append(Pwl(times, k => embeddings[k * width + j] * vu, edge)).Append('\n');
        Line($"vbias bias 0 dc {vu}");

        // Integrators: x_d = -1/(RC) * integral of (f*x - c*g^2*score - Vos).
        double integratorGbw = profile.Opamp.IntegratorBandwidthHertz(rc), integratorRail = profile.Integrator.SaturationVolts ?? NoRailVolts;
        var offsets = driver.Integrator.OffsetUnits;
        int dim = network.InputDim;
        var state = new string[dim];
        var ic = new StringBuilder(".ic");
        for (int d = 0; d < dim; d++)
        {
            state[d] = $"x{d}";
            double osVolts = offsets[d] * vu;
            Line($"* integrator channel {d}");
            Line($"vos{d} os{d} 0 dc {osVolts:R}");
            Line($"bin{d} in{d} 0 v = v(fco)*v(x{d}) - v(gco)*v(s{d})");
            Line($"rint{d} in{d} ni{d} {rc / profile.Integrator.CapacitorFarads:R}");
            Line($"cint{d} ni{d} x{d} {profile.Integrator.CapacitorFarads:R}");
            Line($"xint{d} os{d} ni{d} x{d} opamp params: a={gain:R} gbw={integratorGbw:R} rail={integratorRail:R}");
            double x0 = start[d] * vu;
            ic.Append(Inv, $" v(x{d})={x0:R} v(xint{d}.n1)={x0:R} v(ni{d})={osVolts:R}");
        }

        // Tiles and the circuits between layers.
        var wires = profile.Wires;
        bool resistive = !wires.IsIdeal;
        double rWord = wires.WordLineOhmsPerCell * wires.ResistanceScale, rBit = wires.BitLineOhmsPerCell * wires.ResistanceScale,
            rDriver = wires.DriverOhms * wires.ResistanceScale;
        double tiaGbw = profile.Tia.SettlingSeconds > 0 ? profile.Tia.GainBandwidthHertz(profile.Opamp) : 1e12;
        double tiaRail = profile.Tia.SaturationVolts ?? NoRailVolts;
        var feeds = new List<RowFeed>();
        var activation = new ActivationCircuit(network, profile);
        double activationRail = float.IsPositiveInfinity(activation.Rail) ? NoRailVolts : activation.Rail * vu;
        double activationLag = profile.Activation.DelaySeconds > 0 ? 1 / (2 * Math.PI * profile.Opamp.SettlingBandwidthHertz(profile.Activation.DelaySeconds)) : 0;
        for (int l = 0; l < plan.LayerCount; l++)
        {
            int inputs = plan.LayerInputs[l], outputs = plan.LayerOutputs[l];
            string Input(int feature) => feature == inputs ? "bias" : l == 0 ? $"x{feature}" : $"a{l - 1}_{feature}";
            var partials = Enumerable.Range(0, outputs).Select(_ => new List<string>()).ToArray();
            foreach (int index in plan.LayerTiles[l])
            {
                var tile = plan.Tiles[index];
                var block = blocks[index];
                string t = $"t{index}";
                Line($"* tile {tile.Id}: {tile.RowCount} rows x {tile.ColCount} columns (G+ and G- arrays)");
                for (int c = 0; c < tile.ColCount; c++)
                {
                    double feedback = block.ColumnScale[tile.ColStart + c] / window;
                    Line($"x{t}tia{c} 0 {t}in{c} {t}y{c} opamp params: a={gain:R} gbw={tiaGbw:R} rail={tiaRail:R}");
                    Line($"r{t}f{c} {t}in{c} {t}y{c} {feedback:R}");
                    // G+ ends in a current mirror whose input sits at ground (an ideal virtual ground: a mirror input that
                    // followed the TIA's input would be a negative conductance there, and the TIA would oscillate) and
                    // whose output draws the same current out of the TIA's input.
                    Line($"v{t}m{c} {t}pb{c} 0 0");
                    Line($"f{t}m{c} {t}in{c} 0 v{t}m{c} 1");
                    partials[tile.ColStart + c].Add($"{t}y{c}");
                }
                foreach (var (array, g) in new[] { ("p", block.GPlus), ("m", block.GMinus) })
                {
                    string bottom(int c) => array == "p" ? $"{t}pb{c}" : $"{t}in{c}";
                    for (int r = 0; r < tile.RowCount; r++)
                    {
                        string driverNode = Input(tile.RowStart + r), feed = $"{t}{array}w{r}";
                        string ammeter = $"v{t}{array}d{r}";
                        Line($"{ammeter} {driverNode} {feed} 0");
                        feeds.Add(new RowFeed(ammeter, driverNode));
                        for (int c = 0; c < tile.ColCount; c++)
                        {
                            string word = resistive ? $"{t}{array}w{r}_{c}" : feed;
                            string bit = resistive ? $"{t}{array}b{r}_{c}" : bottom(c);
                            if (resistive)
                            {
                                string previous = c == 0 ? feed : $"{t}{array}w{r}_{c - 1}";
                                Line($"r{t}{array}wl{r}_{c} {previous} {word} {(c == 0 ? rDriver + rWord : rWord):R}");
                                string below = r == tile.RowCount - 1 ? bottom(c) : $"{t}{array}b{r + 1}_{c}";
                                Line($"r{t}{array}bl{r}_{c} {bit} {below} {rBit:R}");
                            }
                            double conductance = g[r * tile.ColCount + c];
                            if (conductance > 0) Line($"r{t}{array}c{r}_{c} {word} {bit} {1 / conductance:R}");
                        }
                    }
                }
            }
            // Partial sums of a column's row blocks add; hidden layers then take the embedding and the activation circuit.
            for (int j = 0; j < outputs; j++)
            {
                string sum = string.Join(" + ", partials[j].Select(n => $"v({n})"));
                if (l == plan.LayerCount - 1)
                {
                    Line($"bs{j} s{j} 0 v = {sum}");
                    continue;
                }
                string a = $"a{l}_{j}";
                Line($"b{a}r {a}r 0 v = min(max({sum} + v(emb{j}), 0), {activationRail:R})");
                if (activationLag > 0)
                {
                    Line($"r{a}l {a}r {a}l 1e3");
                    Line($"c{a}l {a}l 0 {activationLag / 1e3:R}");
                    Line($"e{a} {a} 0 {a}l 0 1");
                }
                else Line($"e{a} {a} 0 {a}r 0 1");
            }
        }
        sb.Append(ic).Append('\n');
        return new LoopNetlist(sb.ToString(), state, feeds.ToArray(), stop);
    }

    /// <summary>A held DAC output as a PWL source: value k from times[k], stepping to value k+1 within <paramref name="edge"/>.</summary>
    private static string Pwl(double[] times, Func<int, double> value, double edge)
    {
        var sb = new StringBuilder("pwl(");
        sb.Append(Inv, $"0 {value(0):R}");
        for (int k = 1; k < times.Length; k++)
        {
            if (k % 8 == 0) sb.Append("\n+"); // continuation lines keep each line short
            sb.Append(Inv, $" {times[k]:R} {value(k - 1):R} {times[k] + edge:R} {value(k):R}");
        }
        return sb.Append(')').ToString();
    }
}
