namespace MemristorGrid.Engine.Solvers;

/// <summary>One controller period of reverse time s ∈ [Start, End] (s = τ_start − τ), numbered from 0.</summary>
public readonly record struct Segment(int Index, double Start, double End);

/// <summary>
/// The closed loop as a solver sees it: dx/ds, the integrator's rails, its noise and its time scale.
/// Every sample of a lane is its own run of the loop: its reverse time, its step size and whether it is
/// still integrating are its own, so a derivative is asked for a set of the lane's samples, each at its
/// own time. Arrays are in lane layout: x and dx [lane samples × D], s [lane samples], and per tile t a
/// row of cell powers, power[t × lane samples + i].
/// </summary>
public interface ILoopDynamics
{
    /// <summary>Physical seconds per unit of reverse time (the integrator's RC).</summary>
    double TimeConstant { get; }

    /// <summary>Diffusion time τ at reverse time <paramref name="s"/>.</summary>
    double Tau(double s);

    /// <summary>dx/ds of the samples <paramref name="active"/>[0 … count) (lane indices, ascending), sample i at
    /// x[i·D …] and reverse time s[i]; writes their dx and their cell power in every tile.</summary>
    ValueTask DerivativeAsync(int[] active, int count, double[] x, double[] s, double[] dx, double[] power, CancellationToken cancel);

    /// <summary>Clamps sample <paramref name="sample"/> to the integrator rails; true when any of its values was clamped.</summary>
    bool ClampToRails(double[] x, int sample);

    /// <summary>Whether the integrator has rails at all (false: <see cref="ClampToRails"/> never clamps, and a solver may skip it).</summary>
    bool HasRails => true;

    /// <summary>Amplitude a of the injected noise at reverse time s (dx = … + a dW).</summary>
    double NoiseAmplitude(double s);
}

/// <summary>
/// What a solver reads and writes of a lane: its samples' state — x [count × D], and for the ODE each sample's
/// proposed step size, reverse time, last slope and that slope's cell power per tile — and the costs its accepted
/// steps add (cell energy per tile, step counts). The simulation's lane state is one; the solvers know no more of it.
/// </summary>
public interface ISolverLane
{
    /// <summary>Global index of the lane's first sample (the key of its noise draws).</summary>
    long FirstSample { get; }
    int Count { get; }
    double[] X { get; }
    double[] StepSizes { get; }
    double[] Times { get; }
    double[] Slopes { get; }
    double[] SlopePowers { get; }

    /// <summary>Per tile: cell energy ∫ΣV²G dt summed over the lane's samples (joules); accepted steps add to it.</summary>
    double[] TileCellEnergyJoules { get; }

    /// <summary>Per sample: its cell energy over every tile (joules), accepted steps adding to it as to the tiles'; empty when the
    /// lane does not keep it.</summary>
    double[] SampleCellEnergyJoules { get; }

    /// <summary>Counts sample-steps the solver accepted and rejected.</summary>
    void CountSteps(long accepted, long rejected);
}

/// <summary>
/// Integrates a lane across one segment. No step straddles the segment's end: a held controller changes
/// its outputs there. Accepted steps add each tile's cell energy to the lane.
/// </summary>
public interface ISegmentSolver
{
    ValueTask IntegrateAsync(ISolverLane lane, Segment segment, ILoopDynamics loop, SolverWorkspace w, CancellationToken cancel);
}

/// <summary>A solver's scratch buffers for one lane; reused across segments, never checkpointed.</summary>
public sealed class SolverWorkspace
{
    internal readonly double[][] K;
    internal readonly double[] Y, DW, Chi, Z1;
    internal readonly double[] PowerStart, PowerEnd, PowerScratch;
    internal readonly double[] S, Stage, H;
    /// <summary>Each coordinate's step (its sample's) and error ratio, for the solvers' whole-lane vector paths.</summary>
    internal readonly double[] CoordinateSteps, ErrorRatios;
    internal readonly int[] Active, All, Clipped;
    internal readonly int Samples, Tiles;

    /// <param name="samples">Samples of the lane.</param>
    /// <param name="dim">Dimensions per sample.</param>
    /// <param name="tiles">Tiles of the plan (one cell power per tile per sample).</param>
    public SolverWorkspace(int samples, int dim, int tiles)
    {
        int values = samples * dim;
        Samples = samples;
        Tiles = tiles;
        K = Enumerable.Range(0, 7).Select(_ => new double[values]).ToArray();
        Y = new double[values]; DW = new double[values]; Chi = new double[values]; Z1 = new double[values];
        PowerStart = new double[tiles * samples]; PowerEnd = new double[tiles * samples]; PowerScratch = new double[tiles * samples];
        S = new double[samples]; Stage = new double[samples]; H = new double[samples];
        CoordinateSteps = new double[values]; ErrorRatios = new double[values];
        Active = new int[samples]; Clipped = new int[samples];
        All = Enumerable.Range(0, samples).ToArray();
    }
}
