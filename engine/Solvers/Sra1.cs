
namespace MemristorGrid.Engine.Solvers;

/// <summary>
/// Rößler's SRA1 for additive noise (strong order 1.5): two drift evaluations per step, at s and
/// s + ¾h, combined with the increment ΔW and χ = ½(ΔW + √h·z/√3) of the noise.
/// </summary>
public sealed class Sra1(ulong seed, int substeps, bool held, int dim) : AdditiveNoiseSolver(seed, substeps, held, dim)
{
    protected override bool UsesChi => true;

    protected override async ValueTask StepAsync(ISolverLane lane, ILoopDynamics loop, SolverWorkspace w, double s, double h, double g0, double g1, CancellationToken cancel)
    {
        double[] x = lane.X, k1 = w.K[0], k2 = w.K[1], y = w.Y, dW = w.DW, chi = w.Chi;
        int n = x.Length;
        await DerivativeAsync(lane, loop, w, x, k1, w.PowerStart, cancel);
        for (int i = 0; i < n; i++) y[i] = x[i] + 0.75 * h * k1[i] + 1.5 * chi[i] * g1;
        Array.Fill(w.S, s + 0.75 * h);
        await DerivativeAsync(lane, loop, w, y, k2, w.PowerEnd, cancel);
        for (int i = 0; i < n; i++) x[i] += h * (k1[i] / 3 + 2 * k2[i] / 3) + chi[i] * (g0 - g1) + dW[i] * g1;
        AddEnergy(lane, loop, w.PowerStart, 1.0 / 3, h);
        AddEnergy(lane, loop, w.PowerEnd, 2.0 / 3, h);
    }
}
