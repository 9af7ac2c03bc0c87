using MemristorGrid.Engine.Sampling;

namespace MemristorGrid.Engine.Analog;

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

    /// <summary>Samples advanced together through analog time (one lane = one batch of integrator channels).</summary>
    public int LaneSize { get; init; } = 500;

    /// <summary>Dormand–Prince tolerances: per coordinate |err| ≤ atol + rtol·|x|.</summary>
    public double RelativeTolerance { get; init; } = 1e-4;
    public double AbsoluteTolerance { get; init; } = 1e-5;

    public SdeScheme SdeScheme { get; init; } = SdeScheme.Sra1;

    /// <summary>SDE steps per controller update period (or per segment with a continuous controller).</summary>
    public int Substeps { get; init; } = 10;

    /// <summary>With a continuous controller (update period 0): how many segments the run is cut into
    /// (checkpoint and SDE-step granularity; adaptive ODE steps never straddle a segment end).</summary>
    public int ContinuousSegments { get; init; } = 100;

    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { IncludeFields = false };

    /// <summary>Exact round trip (doubles in shortest round-trip form), for shipping options to grains.</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, Json);

    public static AnalogRunOptions FromJson(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<AnalogRunOptions>(json, Json) ?? throw new ArgumentException("empty run options");

    public void Validate()
    {
        if (!(StartTime > EndTime) || !(EndTime > 0)) throw new UserInputException($"need start time > end time > 0 (got {StartTime} → {EndTime})");
        if (!(ScheduleScale > 0) || !double.IsFinite(ScheduleScale)) throw new UserInputException($"--schedule-scale must be positive (got {ScheduleScale})");
        if (!float.IsFinite(GuidanceWeight) || GuidanceWeight < 0) throw new UserInputException($"--guidance must be ≥ 0 (got {GuidanceWeight})");
        if (LaneSize < 1) throw new UserInputException($"--lane-size must be at least 1 (got {LaneSize})");
        if (!(RelativeTolerance > 0) || !(AbsoluteTolerance > 0)) throw new UserInputException("--rtol and --atol must be positive");
        if (Substeps < 1) throw new UserInputException($"--substeps must be at least 1 (got {Substeps})");
        if (ContinuousSegments < 1) throw new UserInputException("the number of segments must be at least 1");
    }
}
