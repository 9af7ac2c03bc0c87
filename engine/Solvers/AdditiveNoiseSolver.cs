using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Solvers;

/// <summary>
/// What the reverse-SDE schemes share: a segment cut into equal sub-steps, and the Brownian increments
/// the integrator's noise source injects — one voltage per channel held for the whole period when the
/// controller holds (its increment a·√(period)·z spread linearly over the period), else a fresh draw per
/// sub-step. Draws are keyed by (seed, segment, sub-step, global sample index), so lane size and order
/// do not change them.
/// </summary>
public abstract class AdditiveNoiseSolver(ulong seed, int substeps, bool held, int dim) : ISegmentSolver
{
    /// <summary>Whether the scheme needs the second Gaussian χ of the increment (the ∫W ds term).</summary>
    protected abstract bool UsesChi { get; }

    /// <summary>Advances x by one sub-step of length h from s, with noise amplitudes g0 at s and g1 at s + h.</summary>
    protected abstract ValueTask StepAsync(ISolverLane lane, ILoopDynamics loop, SolverWorkspace w, double s, double h, double g0, double g1, CancellationToken cancel);

    public async ValueTask IntegrateAsync(ISolverLane lane, Segment segment, ILoopDynamics loop, SolverWorkspace w, CancellationToken cancel)
    {
        double[] x = lane.X;
        int n = x.Length, k = segment.Index;
        double s0 = segment.Start, length = segment.End - s0, h = length / substeps;
        ulong first = (ulong)lane.FirstSample * (ulong)dim;
        double heldAmplitude = loop.NoiseAmplitude(s0);
        if (held)
        {
            Streams.Rng(seed, StreamPurpose.IntegratorNoise, (ulong)k).FillGaussian(w.Z1, first);
            double share = h / Math.Sqrt(length);
            for (int i = 0; i < n; i++) w.Z1[i] *= share;
        }
        for (int j = 0; j < substeps; j++)
        {
            double s = s0 + j * h;
            Array.Fill(w.S, s);
            double g0, g1;
            double[] dW = w.DW, chi = w.Chi;
            if (held)
            {
                g0 = g1 = heldAmplitude;
                for (int i = 0; i < n; i++) { dW[i] = w.Z1[i]; chi[i] = 0.5 * w.Z1[i]; }
            }
            else
            {
                g0 = loop.NoiseAmplitude(s);
                g1 = loop.NoiseAmplitude(s + h);
                double root = Math.Sqrt(h);
                Streams.Rng(seed, StreamPurpose.IntegratorNoise, (ulong)k, (ulong)j, 0).FillGaussian(dW, first);
                for (int i = 0; i < n; i++) dW[i] *= root;
                if (UsesChi)
                {
                    Streams.Rng(seed, StreamPurpose.IntegratorNoise, (ulong)k, (ulong)j, 1).FillGaussian(chi, first);
                    for (int i = 0; i < n; i++) chi[i] = 0.5 * (dW[i] + root * chi[i] / Math.Sqrt(3));
                }
            }
            await StepAsync(lane, loop, w, s, h, g0, g1, cancel);
            for (int i = 0; i < lane.Count; i++) loop.ClampToRails(x, i);
            for (int i = 0; i < n; i++)
                if (!double.IsFinite(x[i]))
                    throw new UserInputException($"the analog loop left the representable range at τ = {loop.Tau(s):G4}; the profile drives the network or integrator out of range");
            lane.CountSteps(accepted: lane.Count, rejected: 0); // every sample takes the step
        }
    }

    /// <summary>Cell energy of <paramref name="weight"/> × a sub-step of length h at the given per-sample tile powers.</summary>
    protected static void AddEnergy(ISolverLane lane, ILoopDynamics loop, double[] power, double weight, double h)
    {
        double seconds = weight * h * loop.TimeConstant;
        int n = lane.Count;
        for (int t = 0; t < lane.TileCellEnergyJoules.Length; t++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += power[t * n + i];
            lane.TileCellEnergyJoules[t] += sum * seconds;
        }
        if (lane.SampleCellEnergyJoules.Length == 0) return;
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int t = 0; t < lane.TileCellEnergyJoules.Length; t++) sum += power[t * n + i];
            lane.SampleCellEnergyJoules[i] += sum * seconds;
        }
    }

    /// <summary>The derivative of every sample of the lane, all at reverse time w.S.</summary>
    protected static ValueTask DerivativeAsync(ISolverLane lane, ILoopDynamics loop, SolverWorkspace w, double[] x, double[] dx, double[] power, CancellationToken cancel) =>
        loop.DerivativeAsync(w.All, lane.Count, x, w.S, dx, power, cancel);
}
