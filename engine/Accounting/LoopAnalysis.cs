using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Accounting;

/// <summary>The loop's gain at one diffusion time: the largest over the probe's samples of ‖∂F/∂x‖₂, F = −f·x + c·g²·score.</summary>
public sealed record LoopGainPoint(double Tau, double Gain);

/// <summary>
/// What the loop's physics allows, per deployment (docs/hardware-model.md, "Timing from the loop"): its delay, its
/// largest gain along the trajectories, the shortest RC that keeps gain × delay within the budget, the RC where the
/// energy per sample is lowest above that, the RC used and why, and the integrator's own thermal noise.
/// </summary>
public sealed record LoopReport
{
    /// <summary>One traversal: the slowest tile of each layer, the activation circuits, chip hops (<see cref="EnergyModel.LoopDelay"/>).</summary>
    public required double LoopDelaySeconds { get; init; }

    /// <summary>The same traversal as its phase sees it (<see cref="LoopTiming.PhaseDelaySeconds"/>): what the budget bounds.</summary>
    public required double PhaseDelaySeconds { get; init; }

    /// <summary>max over τ and the probe's samples of ‖∂F/∂x‖₂, per unit of diffusion time.</summary>
    public required double LoopGainMax { get; init; }

    /// <summary>Where along τ that maximum is.</summary>
    public required double LoopGainMaxTau { get; init; }

    /// <summary>The largest gain × delay (in diffusion time) allowed: the phase the delay may cost at the loop's highest gain.</summary>
    public required double DelayBudget { get; init; }

    /// <summary>RC at which gain × phase delay/RC equals the budget: RC_min = max(gain_max, 1) · phase delay / budget (a gain below 1 still
    /// needs RC ≥ delay/budget for the network to be quasi-static); with <c>loop.derive</c>, the delay at the node's fastest op-amps.</summary>
    public required double RcMinSeconds { get; init; }

    /// <summary>The RC ≥ RC_min with the least energy per sample at these op-amp bandwidths.</summary>
    public required double RcOptSeconds { get; init; }
    public required double RcUsedSeconds { get; init; }

    /// <summary>Where the RC used comes from: derived (<c>loop.derive</c>) or given by the profile.</summary>
    public required string RcReason { get; init; }

    /// <summary>max(gain_max, 1) · phase delay / RC_used: the budget the run actually spends.</summary>
    public required double GainDelayProduct { get; init; }
    public required double EnergyPerSampleAtRcMinJoules { get; init; }
    public required double EnergyPerSampleAtRcOptJoules { get; init; }

    /// <summary>The TIAs' noise gain, settling, the activations' delay and the controller's update period the run used
    /// (derived with <c>loop.derive</c>, else the profile's).</summary>
    public required double TiaNoiseGain { get; init; }
    public required double TiaSettlingSeconds { get; init; }
    public required double ActivationDelaySeconds { get; init; }
    public required double ControllerUpdatePeriodSeconds { get; init; }

    /// <summary>One traversal with every op-amp at the node's fastest (<c>loop.opamp_max_bandwidth_hertz</c>); null for a given timing.</summary>
    public double? NodeLimitDelaySeconds { get; init; }

    /// <summary>√(kT/C) on each integrator capacitor (the reset's sampled noise), in units.</summary>
    public required double KtcNoiseUnits { get; init; }

    /// <summary>The input resistor's thermal noise integrated over the generation, √(4kT·span/C), in units.</summary>
    public required double ResistorNoiseUnits { get; init; }
    public required double CapacitorFarads { get; init; }
    public required IReadOnlyList<LoopGainPoint> Gain { get; init; }
}

public static class LoopAnalysis
{
    private const double Boltzmann = 1.380649e-23, Kelvin = 300;

    /// <summary>
    /// The loop's gain along probability-flow trajectories of the digital network: <paramref name="samples"/> draws from the
    /// prior (seed <paramref name="seed"/>, the prior's own stream), Euler over <paramref name="steps"/> steps from
    /// <paramref name="start"/> to <paramref name="end"/>, and at each step the Jacobian of the score by central differences.
    /// c = ½ for the ODE, 1 for the reverse SDE (the score gain the integrators apply).
    /// </summary>
    public static IReadOnlyList<LoopGainPoint> Gain(ScoreNetwork network, DiffusionSde sde, SamplerKind kind, double start, double end, ulong seed,
        int samples = 16, int steps = 100)
    {
        int d = network.InputDim, rows = samples * (2 * d + 1);
        long[] labels = network.IsConditional ? Enumerable.Range(0, rows).Select(r => (long)(r / (2 * d + 1) % network.ClassCount)).ToArray() : [];
        var workspace = new ScoreWorkspace();
        return Gain((x, t, l, score) => network.Forward(x, t, l, score, workspace), d, labels, sde, kind, start, end, seed, samples, steps);
    }

    /// <summary>The same probe for any score model (a general graph through ONNX Runtime): <paramref name="evaluate"/>(x, t, labels, score)
    /// over batches of samples × (2D + 1) rows, <paramref name="labels"/> one per row (or empty).</summary>
    public static IReadOnlyList<LoopGainPoint> Gain(Action<float[], float[], long[], float[]> evaluate, int d, long[] labels, DiffusionSde sde, SamplerKind kind,
        double start, double end, ulong seed, int samples, int steps)
    {
        int rows = samples * (2 * d + 1);
        var x = new float[samples * d];
        Streams.Rng(seed, StreamPurpose.SamplerPrior).FillGaussian(x, 0);
        for (int i = 0; i < x.Length; i++) x[i] *= (float)sde.PriorStd;
        var probe = new float[rows * d];
        var t = new float[rows];
        var score = new float[rows * d];
        var jacobian = new double[d * d];
        double c = kind == SamplerKind.Sde ? 1.0 : 0.5, h = 1e-3, dt = (start - end) / steps;
        var points = new List<LoopGainPoint>();
        for (int k = 0; k <= steps; k++)
        {
            double tau = start - k * dt;
            // Row 0 of each sample is x itself; rows 1 + 2j and 2 + 2j move coordinate j by ±h.
            for (int i = 0; i < samples; i++)
                for (int r = 0; r < 2 * d + 1; r++)
                {
                    var row = probe.AsSpan((i * (2 * d + 1) + r) * d, d);
                    x.AsSpan(i * d, d).CopyTo(row);
                    if (r > 0) row[(r - 1) / 2] += (float)(r % 2 == 1 ? h : -h);
                }
            Array.Fill(t, (float)tau);
            evaluate(probe, t, labels, score);
            var (f, g2) = sde.ReverseSdeCoefficients(tau);
            double worst = 0;
            for (int i = 0; i < samples; i++)
            {
                int baseRow = i * (2 * d + 1);
                for (int j = 0; j < d; j++)
                    for (int m = 0; m < d; m++)
                    {
                        double ds = (score[(baseRow + 1 + 2 * j) * d + m] - score[(baseRow + 2 + 2 * j) * d + m]) / (2 * h);
                        jacobian[m * d + j] = c * g2 * ds - (m == j ? f : 0);
                    }
                worst = Math.Max(worst, SpectralNorm(jacobian, d));
            }
            points.Add(new LoopGainPoint(tau, worst));
            if (k == steps) break;
            // Euler on the probability flow: dx/dτ = f·x − ½·g²·score, stepping τ down.
            for (int i = 0; i < samples; i++)
                for (int j = 0; j < d; j++)
                {
                    int at = i * d + j;
                    x[at] -= (float)(dt * (f * x[at] - 0.5 * g2 * score[(i * (2 * d + 1)) * d + j]));
                }
        }
        return points;
    }

    /// <summary>The largest singular value of a d × d matrix (power iteration on JᵀJ).</summary>
    private static double SpectralNorm(double[] a, int d)
    {
        var v = Enumerable.Repeat(1.0 / Math.Sqrt(d), d).ToArray();
        var w = new double[d];
        var u = new double[d];
        double sigma = 0;
        for (int iteration = 0; iteration < 50; iteration++)
        {
            for (int r = 0; r < d; r++) { double s = 0; for (int k = 0; k < d; k++) s += a[r * d + k] * v[k]; u[r] = s; }
            for (int k = 0; k < d; k++) { double s = 0; for (int r = 0; r < d; r++) s += a[r * d + k] * u[r]; w[k] = s; }
            double norm = Math.Sqrt(w.Sum(e => e * e));
            if (norm == 0) return 0;
            for (int k = 0; k < d; k++) v[k] = w[k] / norm;
            double next = Math.Sqrt(norm);
            if (Math.Abs(next - sigma) <= 1e-9 * next) return next;
            sigma = next;
        }
        return sigma;
    }

    /// <summary>The loop report of a deployment run with <paramref name="options"/>' span and sampler; <paramref name="design"/>
    /// when <c>loop.derive</c> derived the timing (then <paramref name="profile"/> is its result).</summary>
    public static LoopReport Analyse(ScoreNetwork network, HardwareProfile profile, DeploymentPlan plan, Simulation.AnalogRunOptions options, LoopDesign? design)
    {
        double span = options.StartTime - options.EndTime, budget = profile.Loop.DelayBudget, rc = profile.Integrator.TimeConstantSeconds;
        double delay = LoopTiming.LoopSettlingSeconds(plan, profile), phaseDelay = LoopTiming.PhaseDelaySeconds(plan, profile);
        var gain = design?.Gain ?? LoopDesigner.ProbeGain(network, options);
        var peak = gain.MaxBy(p => p.Gain)!;
        // Energy per sample as RC varies with the op-amp bandwidths held (a given timing): every static power but the
        // integrators' is paid for RC·span, the integrators' power scales as 1/RC; the controller's updates keep their period.
        double EnergyAt(double r)
        {
            var p = profile with { Integrator = profile.Integrator with { TimeConstantSeconds = r } };
            int updates = profile.Controller.IsHeld ? (int)Math.Ceiling(r * span / profile.Controller.UpdatePeriodSeconds) : 0;
            var model = new EnergyModel(p, r * span, options.IsGuided ? 2 : 1, updates, 1);
            return HardwareAccounting.Breakdown(model, plan, options, network.InputDim, 0).Total;
        }
        double rcMin, rcOpt;
        string reason;
        if (design is not null)
            (rcMin, rcOpt, reason) = (design.RcMinSeconds, design.RcSeconds, design.Reason);
        else
        {
            // At fixed bandwidths the energy grows with RC, so the lowest-energy RC at or above RC_min is RC_min itself
            // (checked on a grid up to 100 × RC_min).
            rcMin = Math.Max(Math.Max(peak.Gain, 1) * phaseDelay / budget, double.Epsilon);
            rcOpt = rcMin;
            double lowest = EnergyAt(rcMin);
            for (double factor = 1.25; factor <= 100; factor *= 1.25)
                if (EnergyAt(rcMin * factor) is var e && e < lowest) (lowest, rcOpt) = (e, rcMin * factor);
            reason = "given by the profile (integrator.time_constant_seconds); loop.derive would derive it";
        }
        double capacitor = profile.Integrator.CapacitorFarads, vu = profile.Signal.VoltsPerUnit;
        return new LoopReport
        {
            LoopDelaySeconds = delay,
            LoopGainMax = peak.Gain,
            LoopGainMaxTau = peak.Tau,
            DelayBudget = budget,
            RcMinSeconds = rcMin,
            RcOptSeconds = rcOpt,
            RcUsedSeconds = rc,
            RcReason = reason,
            PhaseDelaySeconds = phaseDelay,
            GainDelayProduct = Math.Max(peak.Gain, 1) * phaseDelay / rc,
            EnergyPerSampleAtRcMinJoules = design?.EnergyAtRcMinJoules ?? EnergyAt(rcMin),
            EnergyPerSampleAtRcOptJoules = design?.EnergyAtRcJoules ?? EnergyAt(rcOpt),
            TiaNoiseGain = profile.Tia.NoiseGain,
            TiaSettlingSeconds = profile.Tia.SettlingSeconds,
            ActivationDelaySeconds = profile.Activation.DelaySeconds,
            ControllerUpdatePeriodSeconds = profile.Controller.UpdatePeriodSeconds,
            NodeLimitDelaySeconds = design?.NodeLimitDelaySeconds,
            KtcNoiseUnits = Math.Sqrt(Boltzmann * Kelvin / capacitor) / vu,
            ResistorNoiseUnits = Math.Sqrt(4 * Boltzmann * Kelvin * span / capacitor) / vu,
            CapacitorFarads = capacitor,
            Gain = gain,
        };
    }
}
