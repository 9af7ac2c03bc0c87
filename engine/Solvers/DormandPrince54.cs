using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Solvers;

/// <summary>
/// Dormand–Prince 5(4) with first-same-as-last and a per-coordinate error test |err| ≤ atol + rtol·|x|
/// (Hairer, Nørsett &amp; Wanner, Table 5.2), for the probability-flow ODE. Cell energy of an accepted
/// step is the trapezoid of the power at its two ends.
/// </summary>
public sealed class DormandPrince54(double relativeTolerance, double absoluteTolerance, double span) : ISegmentSolver
{
    private const double A21 = 1.0 / 5;
    private const double A31 = 3.0 / 40, A32 = 9.0 / 40;
    private const double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9;
    private const double A51 = 19372.0 / 6561, A52 = -25360.0 / 2187, A53 = 64448.0 / 6561, A54 = -212.0 / 729;
    private const double A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247, A64 = 49.0 / 176, A65 = -5103.0 / 18656;
    private const double B1 = 35.0 / 384, B3 = 500.0 / 1113, B4 = 125.0 / 192, B5 = -2187.0 / 6784, B6 = 11.0 / 84;
    private const double E1 = 71.0 / 57600, E3 = -71.0 / 16695, E4 = 71.0 / 1920, E5 = -17253.0 / 339200, E6 = 22.0 / 525, E7 = -1.0 / 40;

    public async ValueTask IntegrateAsync(LaneState lane, Segment segment, ILoopDynamics loop, SolverWorkspace w, CancellationToken cancel)
    {
        double[] x = lane.X;
        int n = x.Length;
        double s = segment.Start, s1 = segment.End;
        double h = lane.StepSize > 0 ? lane.StepSize : s1 - s;
        double minStep = 1e-12 * span;
        // Each segment starts with a fresh derivative (a held controller changes its outputs there), so a
        // lane resumed from a checkpoint at a segment boundary repeats exactly the same evaluations.
        await loop.DerivativeAsync(x, s, w.K[0], w.PowerStart, cancel);
        while (s1 - s > minStep)
        {
            if (h >= s1 - s - minStep) h = s1 - s;
            double[] k1 = w.K[0], k2 = w.K[1], k3 = w.K[2], k4 = w.K[3], k5 = w.K[4], k6 = w.K[5], k7 = w.K[6], y = w.Y;
            for (int i = 0; i < n; i++) y[i] = x[i] + h * A21 * k1[i];
            await loop.DerivativeAsync(y, s + h / 5, k2, w.PowerScratch, cancel);
            for (int i = 0; i < n; i++) y[i] = x[i] + h * (A31 * k1[i] + A32 * k2[i]);
            await loop.DerivativeAsync(y, s + 3 * h / 10, k3, w.PowerScratch, cancel);
            for (int i = 0; i < n; i++) y[i] = x[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
            await loop.DerivativeAsync(y, s + 4 * h / 5, k4, w.PowerScratch, cancel);
            for (int i = 0; i < n; i++) y[i] = x[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
            await loop.DerivativeAsync(y, s + 8 * h / 9, k5, w.PowerScratch, cancel);
            for (int i = 0; i < n; i++) y[i] = x[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
            await loop.DerivativeAsync(y, s + h, k6, w.PowerScratch, cancel);
            for (int i = 0; i < n; i++) y[i] = x[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
            await loop.DerivativeAsync(y, s + h, k7, w.PowerEnd, cancel);

            double norm = 0;
            for (int i = 0; i < n; i++)
            {
                double err = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
                double scale = absoluteTolerance + relativeTolerance * Math.Max(Math.Abs(x[i]), Math.Abs(y[i]));
                norm = Math.Max(norm, Math.Abs(err) / scale);
            }
            if (!double.IsFinite(norm)) norm = double.PositiveInfinity;
            if (norm <= 1)
            {
                double seconds = h * loop.TimeConstant;
                for (int t = 0; t < w.PowerStart.Length; t++) lane.TileCellEnergyJoules[t] += 0.5 * (w.PowerStart[t] + w.PowerEnd[t]) * seconds;
                Array.Copy(y, x, n);
                bool clipped = loop.ClampToRails(x);
                // First-same-as-last: the end derivative starts the next step (unless the rails moved x).
                if (clipped) await loop.DerivativeAsync(x, s + h, k7, w.PowerEnd, cancel);
                (w.K[0], w.K[6]) = (k7, k1);
                (w.PowerStart, w.PowerEnd) = (w.PowerEnd, w.PowerStart);
                s += h;
                lane.Counters.AcceptedSteps++;
                h *= norm == 0 ? 5 : Math.Clamp(0.9 * Math.Pow(norm, -0.2), 0.2, 5);
            }
            else
            {
                lane.Counters.RejectedSteps++;
                h *= double.IsFinite(norm) ? Math.Clamp(0.9 * Math.Pow(norm, -0.2), 0.2, 0.9) : 0.2;
                if (h < minStep)
                    throw new UserInputException($"the analog loop left the representable range at τ = {loop.Tau(s):G4} (step size underflow); the profile drives the network or integrator out of range");
            }
        }
        lane.StepSize = h;
    }
}
