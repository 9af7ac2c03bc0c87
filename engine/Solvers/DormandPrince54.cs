using MemristorGrid.Engine.Kernels;

namespace MemristorGrid.Engine.Solvers;

/// <summary>
/// Dormand–Prince 5(4) with first-same-as-last and a per-coordinate error test |err| ≤ atol + rtol·|x|
/// (Hairer, Nørsett &amp; Wanner, Table 5.2), for the probability-flow ODE. Each sample controls its own
/// step, as each sample is its own run of the loop on the hardware: a stage evaluates only the samples
/// still integrating, each at its own time, so a sample's trajectory does not depend on the lane it
/// shares. Cell energy of an accepted step is the trapezoid of the sample's power at its two ends.
/// <para>
/// Where a segment's end is an instant of the physics (a held controller changes its outputs there), no
/// step crosses it and the next segment starts from a fresh derivative. Where it is not (a continuous
/// controller: segments are only checkpoints), steps run across it, each sample's time, proposed step
/// and last derivative are carried in the lane, and a segment's work ends once every sample is past its
/// end; only the run's end cuts a step. The work is then what the tolerance asks for, and where the
/// checkpoints fall changes nothing a sample does.
/// </para>
/// </summary>
public sealed class DormandPrince54(double relativeTolerance, double absoluteTolerance, double span, bool segmentsAreCheckpoints) : ISegmentSolver
{
    /// <summary>First trial step across checkpoints, as a fraction of the span (assumption; the controller
    /// grows it at most 5× per accepted step, so a too-small first try costs a handful of steps).</summary>
    public const double FirstStepFraction = 0.01;

    private const double A21 = 1.0 / 5;
    private const double A31 = 3.0 / 40, A32 = 9.0 / 40;
    private const double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9;
    private const double A51 = 19372.0 / 6561, A52 = -25360.0 / 2187, A53 = 64448.0 / 6561, A54 = -212.0 / 729;
    private const double A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247, A64 = 49.0 / 176, A65 = -5103.0 / 18656;
    private const double B1 = 35.0 / 384, B3 = 500.0 / 1113, B4 = 125.0 / 192, B5 = -2187.0 / 6784, B6 = 11.0 / 84;
    private const double E1 = 71.0 / 57600, E3 = -71.0 / 16695, E4 = 71.0 / 1920, E5 = -17253.0 / 339200, E6 = 22.0 / 525, E7 = -1.0 / 40;

    // The tableau's rows for StageSums, in the order the per-sample loops add them.
    private static readonly double[] Stage3 = [A31, A32], Stage4 = [A41, A42, A43], Stage5 = [A51, A52, A53, A54],
        Stage6 = [A61, A62, A63, A64, A65], Solution = [B1, B3, B4, B5, B6], Error = [E1, E3, E4, E5, E6, E7];

    public async ValueTask IntegrateAsync(ISolverLane lane, Segment segment, ILoopDynamics loop, SolverWorkspace w, CancellationToken cancel)
    {
        double[] x = lane.X, y = w.Y, s = w.S, st = w.Stage, h = w.H, hx = w.CoordinateSteps, ratio = w.ErrorRatios;
        double[] k1 = w.K[0], k2 = w.K[1], k3 = w.K[2], k4 = w.K[3], k5 = w.K[4], k6 = w.K[5], k7 = w.K[6];
        int n = lane.Count, d = x.Length / n;
        int[] active = w.Active;
        double minStep = 1e-12 * span;
        // No step crosses the hard end; the segment's work is done once every sample has reached its end.
        double hardEnd = segmentsAreCheckpoints ? span : segment.End, end = segment.End;
        double firstStep = segmentsAreCheckpoints ? FirstStepFraction * span : segment.End - segment.Start;
        for (int i = 0; i < n; i++)
        {
            s[i] = segmentsAreCheckpoints ? lane.Times[i] : segment.Start;
            h[i] = lane.StepSizes[i] > 0 ? lane.StepSizes[i] : firstStep;
        }
        if (segmentsAreCheckpoints && segment.Index > 0) // the previous segment left each sample's derivative
        {
            Array.Copy(lane.Slopes, k1, n * d);
            Array.Copy(lane.SlopePowers, w.PowerStart, w.Tiles * n);
        }
        else
        {
            // A held controller changes its outputs at a segment's start: a fresh derivative, so a lane
            // resumed from a checkpoint at a segment boundary repeats exactly the same evaluations.
            await loop.DerivativeAsync(w.All, n, x, s, k1, w.PowerStart, cancel);
        }
        // Every sample short of the hard end steps while any is short of the segment's end, so lanes stay
        // full batches; a sample's steps are the same whichever call takes them.
        int m = Unfinished(n, s, end, minStep) ? StillIntegrating(w.All, n, active, s, hardEnd, minStep) : 0;
        while (m > 0)
        {
            for (int a = 0; a < m; a++)
            {
                int i = active[a];
                if (h[i] >= hardEnd - s[i] - minStep) h[i] = hardEnd - s[i];
            }
            // The stages and the error test run over the whole lane as vectors, each coordinate with its sample's step (StageSums
            // gives the bits of the per-sample loops). A sample already at the hard end gets a stage too, which nothing reads: that costs
            // less than gathering the active ones, and only in the last steps before the hard end.
            for (int i = 0; i < n; i++)
                for (int j = i * d; j < (i + 1) * d; j++) hx[j] = h[i];
            StageSums.ScaledStep(y.AsSpan(0, n * d), x, hx, A21, k1);
            await StageAsync(loop, w, active, m, k2, w.PowerScratch, 1.0 / 5, cancel);
            StageSums.Stage(y.AsSpan(0, n * d), x, hx, Stage3, [k1, k2]);
            await StageAsync(loop, w, active, m, k3, w.PowerScratch, 3.0 / 10, cancel);
            StageSums.Stage(y.AsSpan(0, n * d), x, hx, Stage4, [k1, k2, k3]);
            await StageAsync(loop, w, active, m, k4, w.PowerScratch, 4.0 / 5, cancel);
            StageSums.Stage(y.AsSpan(0, n * d), x, hx, Stage5, [k1, k2, k3, k4]);
            await StageAsync(loop, w, active, m, k5, w.PowerScratch, 8.0 / 9, cancel);
            StageSums.Stage(y.AsSpan(0, n * d), x, hx, Stage6, [k1, k2, k3, k4, k5]);
            await StageAsync(loop, w, active, m, k6, w.PowerScratch, 1, cancel);
            StageSums.Stage(y.AsSpan(0, n * d), x, hx, Solution, [k1, k3, k4, k5, k6]);
            await StageAsync(loop, w, active, m, k7, w.PowerEnd, 1, cancel);
            StageSums.ErrorRatios(ratio.AsSpan(0, n * d), x, y, hx, Error, [k1, k3, k4, k5, k6, k7], absoluteTolerance, relativeTolerance);

            int clipped = 0, accepted = 0;
            // The lane's arrays and the loop's constants once per step, not through their interfaces per sample.
            double[] tileEnergy = lane.TileCellEnergyJoules, sampleEnergies = lane.SampleCellEnergyJoules;
            double[] powerStart = w.PowerStart, powerEnd = w.PowerEnd;
            double timeConstant = loop.TimeConstant;
            bool rails = loop.HasRails;
            for (int a = 0; a < m; a++)
            {
                int i = active[a];
                double norm = 0;
                for (int j = i * d; j < (i + 1) * d; j++) norm = Math.Max(norm, ratio[j]);
                if (!double.IsFinite(norm)) norm = double.PositiveInfinity;
                if (norm <= 1)
                {
                    double seconds = h[i] * timeConstant, sampleEnergy = 0;
                    for (int t = 0; t < w.Tiles; t++)
                    {
                        int p = t * n + i;
                        double energy = 0.5 * (powerStart[p] + powerEnd[p]) * seconds;
                        tileEnergy[t] += energy;
                        sampleEnergy += energy;
                        powerStart[p] = powerEnd[p]; // first-same-as-last: the end starts the next step
                    }
                    if (sampleEnergies.Length != 0) sampleEnergies[i] += sampleEnergy;
                    for (int j = i * d; j < (i + 1) * d; j++)
                    {
                        x[j] = y[j];
                        k1[j] = k7[j];
                    }
                    if (rails && loop.ClampToRails(x, i)) w.Clipped[clipped++] = i;
                    s[i] += h[i];
                    accepted++;
                    h[i] *= norm == 0 ? 5 : Math.Clamp(0.9 * Math.Pow(norm, -0.2), 0.2, 5);
                }
                else
                {
                    h[i] *= double.IsFinite(norm) ? Math.Clamp(0.9 * Math.Pow(norm, -0.2), 0.2, 0.9) : 0.2;
                    if (h[i] < minStep)
                    {
                        lane.CountSteps(accepted, a + 1 - accepted);
                        throw new UserInputException($"the analog loop left the representable range at τ = {loop.Tau(s[i]):G4} (step size underflow); the profile drives the network or integrator out of range");
                    }
                }
            }
            lane.CountSteps(accepted, m - accepted);
            // The rails moved these samples' x: their next step starts from a fresh derivative.
            if (clipped > 0) await loop.DerivativeAsync(w.Clipped, clipped, x, s, k1, w.PowerStart, cancel);
            m = Unfinished(n, s, end, minStep) ? StillIntegrating(active, m, active, s, hardEnd, minStep) : 0;
        }
        for (int i = 0; i < n; i++) lane.StepSizes[i] = h[i];
        if (segmentsAreCheckpoints)
        {
            Array.Copy(s, lane.Times, n);
            Array.Copy(k1, lane.Slopes, n * d);
            Array.Copy(w.PowerStart, lane.SlopePowers, w.Tiles * n);
        }
    }

    private static bool Unfinished(int n, double[] s, double end, double minStep)
    {
        for (int i = 0; i < n; i++)
            if (end - s[i] > minStep) return true;
        return false;
    }

    /// <summary>Evaluates a stage whose states are in w.Y, for the active samples at s + c·h.</summary>
    private static ValueTask StageAsync(ILoopDynamics loop, SolverWorkspace w, int[] active, int m, double[] k, double[] power, double c, CancellationToken cancel)
    {
        for (int a = 0; a < m; a++)
        {
            int i = active[a];
            w.Stage[i] = w.S[i] + c * w.H[i];
        }
        return loop.DerivativeAsync(active, m, w.Y, w.Stage, k, power, cancel);
    }

    /// <summary>Writes to <paramref name="into"/> the samples of <paramref name="from"/> that have not reached <paramref name="end"/>; returns how many.</summary>
    private static int StillIntegrating(int[] from, int count, int[] into, double[] s, double end, double minStep)
    {
        int m = 0;
        for (int a = 0; a < count; a++)
            if (end - s[from[a]] > minStep) into[m++] = from[a];
        return m;
    }
}
