using System.Globalization;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Accounting;

/// <summary>What the loop design derived for one deployment: the loop's gain, the TIAs' noise gain, RC_min at the node's
/// fastest op-amps, the RC used and each stage's settling time at it (docs/hardware-model.md, "Timing from the loop").</summary>
public sealed record LoopDesign
{
    /// <summary>The probe's gain curve (<see cref="LoopDesigner.ProbeGain"/>); its maximum and where along τ.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public required IReadOnlyList<LoopGainPoint> Gain { get; init; }
    public required double GainMax { get; init; }
    public required double GainMaxTau { get; init; }
    public required double TiaNoiseGain { get; init; }

    /// <summary>One traversal's phase delay (<see cref="LoopTiming.PhaseDelaySeconds"/>) with every op-amp at
    /// <see cref="LoopParameters.OpampMaxBandwidthHertz"/>: the shortest the node allows.</summary>
    public required double NodeLimitDelaySeconds { get; init; }
    public required double RcMinSeconds { get; init; }
    public required double RcSeconds { get; init; }
    public required double TiaSettlingSeconds { get; init; }
    public required double ActivationDelaySeconds { get; init; }
    public required double UpdatePeriodSeconds { get; init; }
    public required string Reason { get; init; }

    /// <summary>Energy per sample without the cells (unknown before the run) at RC_min and at the RC used.</summary>
    public required double EnergyAtRcMinJoules { get; init; }
    public required double EnergyAtRcJoules { get; init; }

    /// <summary>The profile with the derived RC, settling times, noise gain and update period in place.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public required HardwareProfile Profile { get; init; }
}

/// <summary>
/// Derives the loop's timing instead of taking it as given. The loop's gain λ (measured on the digital network) and the
/// delay budget b allow one traversal a phase delay of b·RC/λ (each op-amp stage's pole time constant, its settling time
/// over (bits + 1)·ln 2, plus the pure delays of conversions and hops). The op-amps' power is the bandwidth figure × the GBW that
/// settles each stage in its share of that delay, so their energy per sample (power × RC) does not fall with RC,
/// while everything paid by the second (the arrays, the controller's table) grows with it: the least energy is at the
/// shortest RC the node's fastest op-amps allow, unless fixed delays (conversions, chip hops) make a longer RC cheaper —
/// the search below finds which. The delay is split between TIAs and activations where it costs least:
/// minimising Σ Nᵢ·Bᵢ/tᵢ under Σ stagesᵢ·tᵢ = D gives tᵢ ∝ √(Nᵢ·Bᵢ/stagesᵢ).
/// </summary>
public static class LoopDesigner
{
    /// <summary>The probe's seed: the design is a property of the deployment, not of a run's sample seed.</summary>
    public const ulong ProbeSeed = 1;

    /// <summary>Probability-flow paths the gain is measured on.</summary>
    public const int ProbePaths = 32;

    /// <summary>The design of <paramref name="network"/> on <paramref name="profile"/> (which must have <c>loop.derive</c>) for
    /// runs with <paramref name="options"/>' span and sampler. Refuses a profile that also states what is derived.</summary>
    public static LoopDesign Design(ScoreNetwork network, HardwareProfile profile, DeploymentPlan plan, AnalogRunOptions options)
    {
        RequireNothingDerivedIsGiven(profile);
        return Apply(profile, plan, options, network.InputDim, ProbeGain(network, options), TiaNoiseGain(network, profile, plan));
    }

    /// <summary>The loop's gain along τ for runs with <paramref name="options"/>' span and sampler, on the fixed probe: the
    /// design and the report's gain curve are this one measurement.</summary>
    public static IReadOnlyList<LoopGainPoint> ProbeGain(ScoreNetwork network, AnalogRunOptions options)
    {
        var sde = network.Metadata.CreateSde().WithScheduleScale(options.ScheduleScale);
        return LoopAnalysis.Gain(network, sde, options.Kind, options.StartTime, options.EndTime, ProbeSeed, ProbePaths);
    }

    /// <summary>1 + R_f·ΣG⁻ of the busiest column (R_f = s_c/ΔG; G⁻'s bit line ends at the TIA's input, G⁺'s in the current
    /// mirror), from the mapped targets: one TIA design serves every column, so the busiest sets its bandwidth.</summary>
    public static double TiaNoiseGain(ScoreNetwork network, HardwareProfile profile, DeploymentPlan plan) => TiaNoiseGain(network.Layers, profile, plan.Tiles);

    /// <summary><see cref="TiaNoiseGain(ScoreNetwork, HardwareProfile, DeploymentPlan)"/> of any layers and the tiles that hold them.</summary>
    public static double TiaNoiseGain(IReadOnlyList<DenseLayer> layers, HardwareProfile profile, IEnumerable<TilePlan> tiles)
    {
        var device = new Devices.DeviceModel(profile.Device);
        double worst = 1;
        var scaling = Crossbars.WeightScaling.WeightScalings.For(profile.Mapping);
        var scales = layers.Select(scaling.ColumnScales).ToArray();
        foreach (var tile in tiles)
        {
            var layer = layers[tile.Layer];
            var scale = scales[tile.Layer];
            for (int c = 0; c < tile.ColCount; c++)
            {
                int output = tile.ColStart + c;
                double sum = 0;
                for (int r = 0; r < tile.RowCount; r++)
                {
                    int input = tile.RowStart + r;
                    double w = input == layer.Inputs ? layer.Bias[output] : layer.Weight(output, input);
                    sum += device.GMin + (w < 0 ? -w / scale[output] * device.Window : 0);
                }
                worst = Math.Max(worst, 1 + scale[output] / device.Window * sum);
            }
        }
        return worst;
    }

    /// <summary>The design at a measured gain and noise gain: RC_min, the lowest-energy RC above it (searched up to 100 × RC_min)
    /// and the stages' settling there. Pure and cheap: the energy bands re-derive it at each end of a figure's band.</summary>
    public static LoopDesign Apply(HardwareProfile profile, DeploymentPlan plan, AnalogRunOptions options, int dim, IReadOnlyList<LoopGainPoint> gainCurve, double noiseGain)
    {
        var peak = gainCurve.MaxBy(p => p.Gain)!;
        double gain = peak.Gain;
        var loop = profile.Loop;
        double fMax = loop.OpampMaxBandwidthHertz ?? throw new InvalidOperationException("loop.opamp_max_bandwidth_hertz is required");
        double span = options.StartTime - options.EndTime, lambda = Math.Max(gain, 1);
        double settle = profile.Opamp.SettlingBandwidthHertz(1);      // GBW × time that settles a single pole to the bits asked
        double constants = LoopTiming.SettlingTimeConstants(profile);  // settling time / the pole's time constant
        int layers = plan.LayerCount, hidden = layers - 1;
        double tias = plan.Tiles.Sum(t => (double)t.ColCount), activations = hidden * (double)plan.LayerOutputs[0];
        double tiaFloor = settle * noiseGain / fMax, activationFloor = settle / fMax;
        var quiet = profile with { Tia = profile.Tia with { SettlingSeconds = 0 }, Activation = profile.Activation with { DelaySeconds = 0 } };
        double fixedDelay = LoopTiming.LoopSettlingSeconds(plan, quiet);
        // The budget bounds the phase delay: the poles' time constants (settling / constants) and the fixed delays.
        double nodeDelay = (layers * tiaFloor + hidden * activationFloor) / constants + fixedDelay;
        double rcMin = lambda * nodeDelay / loop.DelayBudget;

        HardwareProfile At(double rc)
        {
            double budget = (loop.DelayBudget * rc / lambda - fixedDelay) * constants;   // the stages' settling times may sum to this
            double wTia = Math.Sqrt(tias * noiseGain / layers), wAct = hidden > 0 ? Math.Sqrt(activations / hidden) : 0;
            double sum = layers * wTia + hidden * wAct;
            double tTia = budget * wTia / sum, tAct = hidden > 0 ? budget * wAct / sum : activationFloor;
            if (tTia < tiaFloor) (tTia, tAct) = (tiaFloor, hidden > 0 ? (budget - layers * tiaFloor) / hidden : activationFloor);
            if (tAct < activationFloor) (tAct, tTia) = (activationFloor, (budget - hidden * activationFloor) / layers);
            return profile with
            {
                Loop = loop with { Designed = true },
                Integrator = profile.Integrator with { TimeConstantSeconds = rc },
                Tia = profile.Tia with { SettlingSeconds = tTia, NoiseGain = noiseGain },
                Activation = profile.Activation with { DelaySeconds = tAct },
                Controller = profile.Controller with { UpdatePeriodSeconds = loop.ControllerUpdates > 0 ? rc * span / loop.ControllerUpdates : 0 },
            };
        }
        double EnergyAt(HardwareProfile p)
        {
            var model = new EnergyModel(p, p.Integrator.TimeConstantSeconds * span, options.IsGuided ? 2 : 1, loop.ControllerUpdates, 1);
            return HardwareAccounting.Breakdown(model, plan, options, dim, 0).Total;
        }
        // The cells' energy is not known before the run; it only grows with RC, so leaving it out can only favour a longer RC.
        // Above the point where the delay can be shared freely the energy is flat to a part in 10⁵ (the op-amps' energy does
        // not move with RC; the controller's leakage and the integrators' reset trade places): the shortest RC within
        // 0.1 % of the least energy on the grid is used, since it is also the fastest, found by bisection below the grid point.
        var grid = new List<(double Rc, double Joules)>();
        for (double factor = 1; factor <= 100; factor *= 1.05) grid.Add((rcMin * factor, EnergyAt(At(rcMin * factor))));
        double least = grid.Min(g => g.Joules), atMin = grid[0].Joules;
        int first = grid.FindIndex(g => g.Joules <= least * (1 + 1e-3));
        var (rcOpt, best) = grid[first];
        if (first > 0)
        {
            // The energy falls until the delay is shared freely: bisect between the grid points around that crossing.
            double below = grid[first - 1].Rc, above = rcOpt;
            for (int i = 0; i < 40; i++)
            {
                double middle = 0.5 * (below + above);
                if (EnergyAt(At(middle)) <= least * (1 + 1e-3)) above = middle; else below = middle;
            }
            (rcOpt, best) = (above, EnergyAt(At(above)));
        }
        var chosen = At(rcOpt);
        string reason = rcOpt == rcMin
            ? string.Create(CultureInfo.InvariantCulture, $"derived: RC_min, the lowest energy at the delay budget: the op-amps at the node's {fMax / 1e6:G3} MHz limit give the shortest loop delay, and the energy per sample only grows above it")
            : string.Create(CultureInfo.InvariantCulture, $"derived: RC_opt = {rcOpt / rcMin:G3} × RC_min, the lowest energy at the delay budget: at RC_min every op-amp runs at the node's {fMax / 1e6:G3} MHz limit; a little above it the delay goes where it costs least power{(fixedDelay > 0 ? $", and the fixed {fixedDelay * 1e9:G3} ns of conversions and hops weigh less" : "")}, which saves more than the longer run costs");
        return new LoopDesign
        {
            Gain = gainCurve,
            GainMax = gain,
            GainMaxTau = peak.Tau,
            TiaNoiseGain = noiseGain,
            NodeLimitDelaySeconds = nodeDelay,
            RcMinSeconds = rcMin,
            RcSeconds = rcOpt,
            TiaSettlingSeconds = chosen.Tia.SettlingSeconds,
            ActivationDelaySeconds = chosen.Activation.DelaySeconds,
            UpdatePeriodSeconds = chosen.Controller.UpdatePeriodSeconds,
            Reason = reason,
            EnergyAtRcMinJoules = atMin,
            EnergyAtRcJoules = best,
            Profile = chosen,
        };
    }

    /// <summary><paramref name="profile"/> ready to run: designed when it has <c>loop.derive</c> and is not yet (engine entry points
    /// that take a profile directly, as the reference simulator's, call this; a run request designs once and keeps the design).</summary>
    public static HardwareProfile Ensure(ScoreNetwork network, HardwareProfile profile, AnalogRunOptions options) =>
        profile.Loop.Derive && !profile.Loop.Designed ? Design(network, profile, DeploymentPlan.Create(network, profile.Mapping), options).Profile : profile;

    /// <summary>With <c>loop.derive</c> the RC, settling times and update period are outputs: a value given for one (a
    /// <c>--set</c> or an edited profile) would be silently replaced, so it is refused instead.</summary>
    private static void RequireNothingDerivedIsGiven(HardwareProfile profile)
    {
        if (profile.Loop.Designed)
            throw UserInputException.ForSetting("loop.designed", $"is set only by memgrid's loop design (profile {profile.Name}); leave it out");
        var defaults = new HardwareProfile();
        foreach (var (key, given, unset) in new[]
                 {
                     ("integrator.time_constant_seconds", profile.Integrator.TimeConstantSeconds, defaults.Integrator.TimeConstantSeconds),
                     ("tia.settling_seconds", profile.Tia.SettlingSeconds, defaults.Tia.SettlingSeconds),
                     ("tia.noise_gain", profile.Tia.NoiseGain, defaults.Tia.NoiseGain),
                     ("activation.delay_seconds", profile.Activation.DelaySeconds, defaults.Activation.DelaySeconds),
                     ("controller.update_period_seconds", profile.Controller.UpdatePeriodSeconds, defaults.Controller.UpdatePeriodSeconds),
                 })
            if (given != unset)
                throw UserInputException.ForSetting(key, $"is derived when loop.derive is true (profile {profile.Name}); leave it out, or set loop.derive=false to give the loop's timing yourself");
    }
}
