
namespace MemristorGrid.Engine.Solvers;

/// <summary>Euler–Maruyama on the reverse SDE: x ← x + h·f(x, s) + g·ΔW (strong order 0.5, 1 for additive noise).</summary>
public sealed class EulerMaruyama(ulong seed, int substeps, bool held, int dim) : AdditiveNoiseSolver(seed, substeps, held, dim)
{
    protected override bool UsesChi => false;

    protected override async ValueTask StepAsync(ISolverLane lane, ILoopDynamics loop, SolverWorkspace w, double s, double h, double g0, double g1, CancellationToken cancel)
    {
        double[] x = lane.X, k1 = w.K[0], dW = w.DW;
        await DerivativeAsync(lane, loop, w, x, k1, w.PowerStart, cancel);
        for (int i = 0; i < x.Length; i++) x[i] += h * k1[i] + g0 * dW[i];
        AddEnergy(lane, loop, w.PowerStart, 1.0, h);
    }
}
