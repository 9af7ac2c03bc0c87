using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Simulation;

/// <summary>
/// A run's timing, computed once from the profile and the options and shared by whoever needs it — the lane driver
/// (its segments), the accounting (generation time, controller updates) and the job grain (progress) — so none of
/// them has to build another's machinery to learn it. Reverse time s = τ_start − τ runs from 0 to <see cref="Span"/>;
/// physical time is s·RC. The run is cut into segments: one per controller update period (zero-order hold), or equal
/// slices when the controller is continuous.
/// </summary>
public sealed record RunTiming(double Span, double TimeConstant, bool IsHeld, double SegmentLength, int SegmentCount, bool SegmentsAreCheckpoints)
{
    public static RunTiming Of(HardwareProfile profile, AnalogRunOptions options)
    {
        double span = options.StartTime - options.EndTime, rc = profile.Integrator.TimeConstantSeconds;
        bool held = profile.Controller.IsHeld;
        double length = held ? profile.Controller.UpdatePeriodSeconds / rc : span / options.ContinuousSegments;
        int count = held ? (int)Math.Ceiling(span / length * (1 - 1e-12)) : options.ContinuousSegments;
        if (count > 50_000_000) throw new UserInputException($"the profile gives {count} controller updates per sample; lengthen controller.update_period_seconds");
        return new RunTiming(span, rc, held, length, count, options.Kind == SamplerKind.Ode && !held);
    }

    /// <summary>Physical generation time of one sample.</summary>
    public double GenerationSeconds => Span * TimeConstant;

    /// <summary>Controller updates per sample (0 for a continuous controller).</summary>
    public int ControllerUpdates => IsHeld ? SegmentCount : 0;

    public Segment SegmentAt(int k) => new(k, k * SegmentLength, Math.Min((k + 1) * SegmentLength, Span));

    /// <summary>
    /// Segments between a lane's checkpoints when <paramref name="requested"/> are asked for. Where segments
    /// are only checkpoints, a checkpoint also carries each sample's last derivative and its cell power in
    /// every tile (200 kB for a lane of 500 on the 49-tile model), so a lane saves four times per run
    /// (measured: Redis took 1.2 CPU-s per 20 000-sample job at 8 segments, on the silos' cores).
    /// </summary>
    public int CheckpointWindow(int requested) => SegmentsAreCheckpoints ? Math.Max(requested, (SegmentCount + 3) / 4) : Math.Max(1, requested);
}
