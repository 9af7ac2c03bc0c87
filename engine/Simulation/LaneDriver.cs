using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Simulation;

/// <summary>
/// Advances lanes through analog time: the closed loop integrator ← network ← integrator. Reverse time
/// s = τ_start − τ runs from 0 to the span; physical time is s·RC. The run is cut into segments — one
/// per controller update period (zero-order hold of embeddings, coefficients, read noise and SDE
/// noise), or equal slices when the controller is continuous (the SDE's step grid; for the ODE only
/// checkpoints, which its steps cross) — and each segment is handed to the solver. Tiles are reached only through <see cref="IChipTransport"/>, so the reference simulator and
/// the actor system run this same code. Every random draw is keyed by (seed, tile or channel, segment,
/// pass or substep, global sample index): lane size, lane order and the transport do not change it.
/// </summary>
public sealed class LaneDriver
{
    private readonly ISegmentSolver _solver;

    /// <param name="labels">The label encoder's table of class embeddings (required for a conditional network).</param>
    public LaneDriver(ScoreNetwork network, HardwareProfile profile, DeploymentPlan plan, AnalogRunOptions options, LabelEncoder? labels)
    {
        options.ValidateFor(network);
        if (profile.Loop.Derive && !profile.Loop.Designed)
            throw new InvalidOperationException($"profile {profile.Name} derives its loop timing and must be designed first (Accounting.LoopDesigner)");
        Accounting.LoopTiming.Require(plan, profile);
        Network = network;
        Options = options;
        Plan = plan;
        Dim = network.InputDim;
        Sde = network.Metadata.CreateSde().WithScheduleScale(options.ScheduleScale);
        RequireNoiseDefined(network, profile, options);
        Controller = new Controller(network, Sde, profile, options.Kind, options.StartTime, options.EndTime, labels);
        Integrator = new IntegratorChannel(profile, plan.IntegratorDigitisedInputs, options.ProgramSeed);
        Pass = new NetworkPass(network, plan, new ActivationCircuit(network, profile));

        Timing = RunTiming.Of(profile, options);
        _solver = options.Kind == SamplerKind.Ode
            ? new DormandPrince54(options.RelativeTolerance, options.AbsoluteTolerance, Span, SegmentsAreCheckpoints)
            : options.SdeScheme == SdeScheme.Sra1
                ? new Sra1(options.Seed, options.Substeps, IsHeld, Dim)
                : new EulerMaruyama(options.Seed, options.Substeps, IsHeld, Dim);
    }

    /// <summary>Refuses an SDE run past τ = 0 whose injected noise is √β where β has turned negative.</summary>
    public static void RequireNoiseDefined(ScoreNetwork network, HardwareProfile profile, AnalogRunOptions options)
    {
        var sde = network.Metadata.CreateSde().WithScheduleScale(options.ScheduleScale);
        if (options.Kind == SamplerKind.Sde && profile.Integrator.NoiseScaling == NoiseScaling.SqrtBeta && sde.DiffusionSquared(options.EndTime) < 0)
            throw UserInputException.ForSetting("end_time", $"({options.EndTime}) reaches τ where β < 0: the reverse SDE's √β noise does not exist there; use the ODE sampler or a profile with integrator.noise_scaling \"beta\" (as the demo board)");
    }

    public ScoreNetwork Network { get; }
    public DeploymentPlan Plan { get; }
    public DiffusionSde Sde { get; }
    public AnalogRunOptions Options { get; }
    public int Dim { get; }
    internal Controller Controller { get; }
    internal IntegratorChannel Integrator { get; }
    internal NetworkPass Pass { get; }

    /// <summary>The run's timing (segments, RC, span), shared with the accounting and the job.</summary>
    public RunTiming Timing { get; }

    /// <summary>Diffusion-time span τ_start − τ_end the loop integrates.</summary>
    public double Span => Timing.Span;

    /// <summary>Integrator RC: physical seconds per unit of diffusion time.</summary>
    public double TimeConstant => Timing.TimeConstant;

    /// <summary>Whether the controller holds its outputs for an update period (else it is continuous).</summary>
    public bool IsHeld => Timing.IsHeld;

    /// <summary>Whether segment ends are no instant of the physics (the ODE with a continuous controller):
    /// the solver's steps then run across them and segments only mark checkpoints.</summary>
    public bool SegmentsAreCheckpoints => Timing.SegmentsAreCheckpoints;
    public double SegmentLength => Timing.SegmentLength;
    public int SegmentCount => Timing.SegmentCount;

    public Segment SegmentAt(int k) => Timing.SegmentAt(k);

    /// <summary>A fresh lane starting from the prior: draw (FirstSample + i)·D + j of the prior stream, as the digital baseline draws it.</summary>
    public LaneState CreateLane(long firstSample, int count, int[] labels) =>
        LaneState.FromPrior(firstSample, count, labels, Dim, Plan.Tiles.Count, Sde, Options.Seed, SegmentsAreCheckpoints);

    public LaneState CreateLane(LaneSlice slice, int[] runLabels) => CreateLane(slice.First, slice.Count, slice.LabelsOf(runLabels));

    public bool IsDone(LaneState lane) => lane.Segment >= SegmentCount;

    /// <summary>Integrates up to <paramref name="maxSegments"/> more segments of <paramref name="lane"/>.</summary>
    public async ValueTask AdvanceAsync(LaneState lane, IChipTransport tiles, int maxSegments, LaneWorkspace? workspace = null, CancellationToken cancel = default)
    {
        var w = workspace ?? new LaneWorkspace();
        w.Ensure(this, lane.Count);
        int stop = (int)Math.Min(SegmentCount, (long)lane.Segment + maxSegments);
        while (lane.Segment < stop)
        {
            cancel.ThrowIfCancellationRequested();
            var segment = SegmentAt(lane.Segment);
            Hold(w, lane, segment);
            w.Loop.Begin(lane, tiles, segment.Index);
            await _solver.IntegrateAsync(lane, segment, w.Loop, w.Solver, cancel);
            lane.Segment = segment.Index + 1;
        }
    }

    /// <summary>The controller's held outputs for a segment (only when the controller holds), and the
    /// DAC updates of every sample's run: its class row, and the null row when unconditioned or guided.</summary>
    private void Hold(LaneWorkspace w, LaneState lane, Segment segment)
    {
        if (!IsHeld) return;
        double tau = Options.StartTime - segment.Start;
        (w.HeldDrift, w.HeldScoreGain) = Controller.Coefficients(tau);
        Controller.Embeddings(tau, w.HeldEmbedding, w.ClippedPerRow);
        long width = Controller.Width;
        if (!Network.IsConditional)
        {
            lane.Counters.EmbeddingValues += lane.Count * width;
            lane.Counters.EmbeddingOverflows += lane.Count * (long)w.ClippedPerRow[0];
            return;
        }
        int nullRow = Network.NullLabel;
        bool labelled = lane.Labels.Length > 0;
        for (int i = 0; i < lane.Count; i++)
        {
            if (labelled)
            {
                lane.Counters.EmbeddingValues += width;
                lane.Counters.EmbeddingOverflows += w.ClippedPerRow[lane.Labels[i]];
            }
            if (!labelled || Options.IsGuided)
            {
                lane.Counters.EmbeddingValues += width;
                lane.Counters.EmbeddingOverflows += w.ClippedPerRow[nullRow];
            }
        }
    }
}
