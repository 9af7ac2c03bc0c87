using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Solvers;

/// <summary>One controller period of reverse time s ∈ [Start, End] (s = τ_start − τ), numbered from 0.</summary>
public readonly record struct Segment(int Index, double Start, double End);

/// <summary>The closed loop as a solver sees it: dx/ds, the integrator's rails, its noise and its time scale.</summary>
public interface ILoopDynamics
{
    /// <summary>Physical seconds per unit of reverse time (the integrator's RC).</summary>
    double TimeConstant { get; }

    /// <summary>Diffusion time τ at reverse time <paramref name="s"/>.</summary>
    double Tau(double s);

    /// <summary>dx/ds at <paramref name="x"/>; every tile's cell power during this evaluation goes to <paramref name="power"/>.</summary>
    ValueTask DerivativeAsync(double[] x, double s, double[] dx, double[] power, CancellationToken cancel);

    /// <summary>Clamps x to the integrator rails; true when any value was clamped.</summary>
    bool ClampToRails(double[] x);

    /// <summary>Amplitude a of the injected noise at reverse time s (dx = … + a dW).</summary>
    double NoiseAmplitude(double s);
}

/// <summary>
/// Integrates a lane across one segment. No step straddles the segment's end: a held controller changes
/// its outputs there. Accepted steps add each tile's cell energy to the lane.
/// </summary>
public interface ISegmentSolver
{
    ValueTask IntegrateAsync(LaneState lane, Segment segment, ILoopDynamics loop, SolverWorkspace w, CancellationToken cancel);
}

/// <summary>A solver's scratch buffers for one lane; reused across segments, never checkpointed.</summary>
public sealed class SolverWorkspace
{
    internal double[][] K = [];
    internal double[] Y = [], DW = [], Chi = [], Z1 = [];
    internal double[] PowerStart = [], PowerEnd = [], PowerScratch = [];

    /// <param name="values">Samples × dimensions of the lane.</param>
    /// <param name="tiles">Tiles of the plan (one cell power per tile).</param>
    public SolverWorkspace(int values, int tiles)
    {
        K = Enumerable.Range(0, 7).Select(_ => new double[values]).ToArray();
        Y = new double[values]; DW = new double[values]; Chi = new double[values]; Z1 = new double[values];
        PowerStart = new double[tiles]; PowerEnd = new double[tiles]; PowerScratch = new double[tiles];
    }
}
