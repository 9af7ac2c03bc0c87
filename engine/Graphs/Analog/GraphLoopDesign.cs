using System.Globalization;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>
/// The timing of a general graph's loop, derived as the MLP's is (docs/hardware-model.md, "Timing from the
/// loop"): one traversal's delay along the graph's critical path, its largest gain along the trajectories,
/// and RC = max(gain, 1) · phase delay / budget. A convolution holds one copy of its kernel matrix and
/// applies it to its output pixels one after another (multiplexed), each result converted by the column's
/// ADC and held for the next stage: P pixels cost P × (TIA settling + a conversion). A digital node costs
/// an ADC conversion and its operations at the digital unit's rate. Shares of the delay are kept apart:
/// analog (TIAs, activations), conversions and hops, digital.
/// </summary>
public sealed record GraphLoopDesign
{
    public required double LoopDelaySeconds { get; init; }
    public required double PhaseDelaySeconds { get; init; }
    public required double AnalogDelaySeconds { get; init; }
    public required double ConversionDelaySeconds { get; init; }
    public required double DigitalDelaySeconds { get; init; }
    public required double GainMax { get; init; }
    public required double GainMaxTau { get; init; }
    public required double RcSeconds { get; init; }
    /// <summary>max(gain, 1) · phase delay / budget: the shortest RC the loop's stability budget allows.</summary>
    public required double RcMinSeconds { get; init; }
    public required string Reason { get; init; }
    /// <summary>Energy and time per sample (without the cells) with the op-amps at the node's limit, RC = RC_min: what the derived
    /// design is weighed against; NaN when the timing is given.</summary>
    public double EnergyAtRcMinJoules { get; init; } = double.NaN;
    public double TimeAtRcMinSeconds { get; init; } = double.NaN;
    /// <summary>The profile the run uses: RC, TIA settling, activation delay and update period as derived (or as given).</summary>
    public required HardwareProfile Profile { get; init; }

    public static GraphLoopDesign Design(ScoreGraph graph, GraphPlan plan, HardwareProfile profile, AnalogRunOptions options, IScoreModel probe)
    {
        var gain = Gain(probe, graph.InputDim, graph.IsConditional ? graph.NullLabel : -1, graph.Metadata.CreateSde().WithScheduleScale(options.ScheduleScale), options);
        var peak = gain.MaxBy(p => p.Gain)!;
        double lambda = Math.Max(peak.Gain, 1), budget = profile.Loop.DelayBudget, span = options.StartTime - options.EndTime;
        var timed = profile;
        double rc, rcMin, phase;
        (double Total, double Analog, double Conversions, double Digital) path;
        string reason;
        double atRcMinJoules = double.NaN, atRcMinSeconds = double.NaN;
        if (profile.Loop.Derive)
        {
            // The op-amps at the node's limit give RC_min; slowing them by s lowers their power (∝ bandwidth) and lengthens only the
            // loop's analog share, while the conversions and the digital unit's time stay: for a graph whose delay is mostly digital
            // a slower, cheaper loop costs little time at first. Energy alone keeps falling slowly (the op-amps' energy tends to a
            // constant as their power falls and the run lengthens) and would choose minutes per sample for a factor of two, so the
            // design minimises energy × time per sample (the energy-delay product): the knee, where the MLP's least-energy RC also
            // sits. The cells are left out, as the MLP's design leaves them: they only grow with RC.
            double fMax = profile.Loop.OpampMaxBandwidthHertz!.Value, settle = profile.Opamp.SettlingBandwidthHertz(1);
            double noiseGain = LoopDesigner.TiaNoiseGain(plan.DenseLayers, profile, plan.Tiles);
            (HardwareProfile Profile, double Rc, double Phase, (double, double, double, double) Path) At(double slowdown)
            {
                var p = profile with
                {
                    Tia = profile.Tia with { SettlingSeconds = slowdown * settle * noiseGain / fMax, NoiseGain = noiseGain },
                    Activation = profile.Activation with { DelaySeconds = slowdown * settle / fMax },
                };
                var critical = CriticalPath(graph, plan, p);
                double ph = critical.Analog / LoopTiming.SettlingTimeConstants(p) + critical.Conversions + critical.Digital;
                double r = lambda * ph / budget;
                p = p with
                {
                    Loop = p.Loop with { Designed = true },
                    Integrator = p.Integrator with { TimeConstantSeconds = r },
                    Controller = p.Controller with { UpdatePeriodSeconds = p.Loop.ControllerUpdates > 0 ? r * span / p.Loop.ControllerUpdates : 0 },
                };
                return (p, r, ph, critical);
            }
            (double Joules, double Seconds) CostAt(double slowdown)
            {
                var (p, _, _, critical) = At(slowdown);
                var costs = GraphCosts.Estimate(graph, plan, p, critical.Item1, RunTiming.Of(p, options), 0);
                return (costs.EnergyPerSampleJoules, costs.TimePerSampleSeconds);
            }
            var grid = new List<(double Slowdown, double Joules, double Seconds)>();
            for (double f = 1; f <= 1e4; f *= 1.05)
            {
                var (j, t) = CostAt(f);
                grid.Add((f, j, t));
            }
            var (chosen, joules, seconds) = grid.MinBy(g => g.Joules * g.Seconds);
            var fastest = At(1);
            var design = At(chosen);
            (timed, rc, rcMin, phase, path) = (design.Profile, design.Rc, fastest.Rc, design.Phase, design.Path);
            (atRcMinJoules, atRcMinSeconds) = (grid[0].Joules, grid[0].Seconds);
            reason = chosen == 1
                ? string.Create(CultureInfo.InvariantCulture, $"derived: RC_min = max(gain {peak.Gain:G3}, 1) × phase delay {phase * 1e6:G4} µs / budget {budget}, op-amps at the node's {fMax / 1e6:G3} MHz limit: the least energy × time")
                : string.Create(CultureInfo.InvariantCulture, $"derived: RC_opt = {rc / rcMin:G3} × RC_min, the least energy × time per sample: op-amps {chosen:G3}× slower than the node's {fMax / 1e6:G3} MHz limit (power ∝ bandwidth), phase delay {phase * 1e6:G4} µs; {joules:G3} J and {seconds:G3} s per sample without the cells, against {grid[0].Joules:G3} J and {grid[0].Seconds:G3} s at RC_min = max(gain {peak.Gain:G3}, 1) × {fastest.Phase * 1e6:G4} µs / budget {budget}");
        }
        else
        {
            path = CriticalPath(graph, plan, profile);
            phase = path.Analog / LoopTiming.SettlingTimeConstants(profile) + path.Conversions + path.Digital;
            rcMin = lambda * phase / budget;
            rc = profile.Integrator.TimeConstantSeconds;
            // A given timing is held to the MLP's rule (RC ≥ 5 × one traversal); its gain × delay is reported beside RC_min.
            if (rc < HardwareProfile.MinTimeConstantOverLoopSettling * path.Total)
                throw UserInputException.ForSetting("integrator.time_constant_seconds", string.Create(CultureInfo.InvariantCulture,
                    $"({rc * 1e6:G4} µs) must be at least {HardwareProfile.MinTimeConstantOverLoopSettling}× this graph's loop delay ({path.Total * 1e6:G4} µs; its RC_min at the delay budget is {rcMin * 1e6:G4} µs): lengthen RC"));
            reason = "given by the profile";
        }
        var (delay, analog, conversions, digital) = path;
        return new GraphLoopDesign
        {
            LoopDelaySeconds = delay, PhaseDelaySeconds = phase, AnalogDelaySeconds = analog, ConversionDelaySeconds = conversions,
            DigitalDelaySeconds = digital, GainMax = peak.Gain, GainMaxTau = peak.Tau, RcSeconds = rc, RcMinSeconds = rcMin, Reason = reason, Profile = timed,
            EnergyAtRcMinJoules = atRcMinJoules, TimeAtRcMinSeconds = atRcMinSeconds,
        };
    }

    /// <summary>The slowest path from x to the score: (total, analog, conversions and hops, digital) seconds.</summary>
    public static (double Total, double Analog, double Conversions, double Digital) CriticalPath(ScoreGraph graph, GraphPlan plan, HardwareProfile p)
    {
        var finish = new Dictionary<int, (double Total, double Analog, double Conversions, double Digital)>();
        var layerOf = plan.Layers.Select((l, i) => (l, i)).ToDictionary(x => (GraphNode)x.l, x => x.i);
        double adc = p.Adc.ConversionSeconds, hop = p.Interconnect.LatencyPerHopSeconds;
        foreach (var node in graph.Nodes)
        {
            var start = node.Inputs.Select(i => finish.GetValueOrDefault(i)).DefaultIfEmpty().MaxBy(f => f.Total);
            (double a, double c, double d) own = node.Unit switch
            {
                GraphUnit.Tiles when node is WeightedNode w => TileStage(w, plan, layerOf[w], p),
                GraphUnit.Periphery => (p.Activation.DelaySeconds, 0, 0),
                GraphUnit.Digital => (0, adc, node.OperationsPerSample(graph) / p.DigitalUnit.OpsPerSecond),
                _ => (0, 0, 0),
            };
            foreach (int o in node.Outputs)
                finish[o] = (start.Total + own.a + own.c + own.d, start.Analog + own.a, start.Conversions + own.c, start.Digital + own.d);
        }
        var end = finish[graph.OutputValue];
        double tail = adc + hop; // the score reaches the integrators through a conversion and a hop
        return (end.Total + tail, end.Analog, end.Conversions + tail, end.Digital);
    }

    /// <summary>A weighted node: each of its P input vectors settles the TIAs and is converted (and hopped) where it leaves a chip,
    /// or held by a conversion when P &gt; 1 (multiplexed); the slowest tile of the node sets the pace.</summary>
    private static (double Analog, double Conversions, double Digital) TileStage(WeightedNode node, GraphPlan plan, int layer, HardwareProfile p)
    {
        int vectors = node.VectorsPerSample;
        double adc = p.Adc.ConversionSeconds, hop = p.Interconnect.LatencyPerHopSeconds, conversions = 0;
        foreach (int t in plan.LayerTiles[layer])
        {
            var tile = plan.Tiles[t];
            double c = (tile.LinkedRowCount > 0 ? adc + hop : 0) + (tile.DigitisedOutputs ? adc + hop : vectors > 1 ? adc : 0);
            conversions = Math.Max(conversions, c);
        }
        return (vectors * p.Tia.SettlingSeconds, vectors * conversions, 0);
    }

    /// <summary>The MLP's gain probe (<see cref="LoopAnalysis.Gain(Action{float[], float[], long[], float[]}, int, long[], Diffusion.DiffusionSde, SamplerKind, double, double, ulong, int, int)"/>)
    /// on the digital model through ONNX Runtime, batched: four samples on the probability-flow trajectory from the prior, 21 times.</summary>
    public static IReadOnlyList<LoopGainPoint> Gain(IScoreModel model, int d, int nullLabel, Diffusion.DiffusionSde sde, AnalogRunOptions options,
        int samples = 4, int points = 21)
    {
        long[] labels = nullLabel >= 0 ? Enumerable.Repeat((long)nullLabel, samples * (2 * d + 1)).ToArray() : [];
        return LoopAnalysis.Gain((x, t, l, score) => model.Evaluate(x, t, l, score), d, labels, sde, options.Kind, options.StartTime, options.EndTime,
            LoopDesigner.ProbeSeed, samples, points - 1);
    }
}
