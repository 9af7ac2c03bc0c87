using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Simulation;

public enum SdeScheme { EulerMaruyama, Sra1 }

/// <summary>Settings of one analog generation run (what the user chooses; the hardware is the profile).</summary>
public sealed record AnalogRunOptions
{
    public SamplerKind Kind { get; init; } = SamplerKind.Ode;
    public double StartTime { get; init; } = 1.0;
    public double EndTime { get; init; } = 1e-4;
    public double ScheduleScale { get; init; } = 1.0;
    public float GuidanceWeight { get; init; }

    /// <summary>Seed of the prior, the read noise and the SDE noise.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Seed of the chip: programming noise, stuck-at faults and integrator offsets.</summary>
    public ulong ProgramSeed { get; init; } = 1;

    /// <summary>Samples advanced together through analog time (one lane = one batch of integrator channels);
    /// 0 = chosen from the machine's lane slots. Samples do not depend on it.</summary>
    public int LaneSize { get; init; }

    /// <summary>Dormand–Prince tolerances: per coordinate |err| ≤ atol + rtol·|x|.</summary>
    public double RelativeTolerance { get; init; } = 1e-4;
    public double AbsoluteTolerance { get; init; } = 1e-5;

    public SdeScheme SdeScheme { get; init; } = SdeScheme.Sra1;

    /// <summary>SDE steps per controller update period (or per segment with a continuous controller).</summary>
    public int Substeps { get; init; } = 10;

    /// <summary>With a continuous controller (update period 0): how many segments the run is cut into
    /// (checkpoint and SDE-step granularity; adaptive ODE steps never straddle a segment end).</summary>
    public int ContinuousSegments { get; init; } = 100;

    public bool IsGuided => GuidanceWeight != 0;

    /// <summary>Refuses impossible settings, naming each by its key (the snake_case field name).</summary>
    public void Validate()
    {
        // Past τ = 0 is allowed: the demo board's run continues to −0.2 (PAPER.md).
        UserInputException.Require(StartTime > EndTime && EndTime >= -1 && double.IsFinite(EndTime), "end_time",
            $"must be below start_time and at least −1 (got {StartTime} → {EndTime}; the demo board runs to −0.2)");
        UserInputException.Require(ScheduleScale > 0 && double.IsFinite(ScheduleScale), "schedule_scale", $"must be positive (got {ScheduleScale})");
        UserInputException.Require(float.IsFinite(GuidanceWeight) && GuidanceWeight >= 0, "guidance_weight", $"must be ≥ 0 (got {GuidanceWeight})");
        UserInputException.Require(LaneSize >= 0, "lane_size", $"must be at least 1, or 0 for automatic (got {LaneSize})");
        UserInputException.Require(RelativeTolerance > 0, "relative_tolerance", $"must be positive (got {RelativeTolerance})");
        UserInputException.Require(AbsoluteTolerance > 0, "absolute_tolerance", $"must be positive (got {AbsoluteTolerance})");
        UserInputException.Require(Substeps >= 1, "substeps", $"must be at least 1 (got {Substeps})");
        UserInputException.Require(ContinuousSegments >= 1, "continuous_segments", $"must be at least 1 (got {ContinuousSegments})");
    }

    /// <summary><see cref="Validate"/>, and what the network must offer these settings: guidance needs labels.</summary>
    public void ValidateFor(ScoreNetwork network)
    {
        Validate();
        ClassifierFreeGuidance.RequireConditional(GuidanceWeight, network.IsConditional);
    }
}
