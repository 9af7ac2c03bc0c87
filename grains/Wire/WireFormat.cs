using System.Runtime.InteropServices;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;

namespace MemristorGrid.Grains.Wire;

/// <summary>
/// The engine's records ↔ their wire and storage forms, exactly (numbers as byte buffers, every field by
/// name). The one place that knows both sides: grain-interfaces depends on no engine type.
/// </summary>
public static class WireFormat
{
    public static RunSettings ToWire(this AnalogRunOptions o) => new(
        o.Kind == SamplerKind.Sde ? RunSampler.Sde : RunSampler.Ode, o.StartTime, o.EndTime, o.ScheduleScale, o.GuidanceWeight,
        o.Seed, o.ProgramSeed, o.LaneSize, o.RelativeTolerance, o.AbsoluteTolerance,
        o.SdeScheme == SdeScheme.Sra1 ? RunSdeScheme.Sra1 : RunSdeScheme.EulerMaruyama, o.Substeps, o.ContinuousSegments);

    public static AnalogRunOptions ToEngine(this RunSettings s) => new()
    {
        Kind = s.Sampler == RunSampler.Sde ? SamplerKind.Sde : SamplerKind.Ode,
        StartTime = s.StartTime,
        EndTime = s.EndTime,
        ScheduleScale = s.ScheduleScale,
        GuidanceWeight = s.GuidanceWeight,
        Seed = s.Seed,
        ProgramSeed = s.ProgramSeed,
        LaneSize = s.LaneSize,
        RelativeTolerance = s.RelativeTolerance,
        AbsoluteTolerance = s.AbsoluteTolerance,
        SdeScheme = s.SdeScheme == RunSdeScheme.Sra1 ? SdeScheme.Sra1 : SdeScheme.EulerMaruyama,
        Substeps = s.Substeps,
        ContinuousSegments = s.ContinuousSegments,
    };

    public static CountersData ToWire(this LaneCounters c) => new(
        c.NetworkEvaluations, c.AcceptedSteps, c.RejectedSteps, c.InputOverflows, c.SaturatedOutputs, c.EmbeddingOverflows, c.EmbeddingValues, c.IntegratorClips,
        c.SampleEvaluations, c.ScoreAdcOverflows, c.TileAdcOverflows);

    public static LaneCounters ToEngine(this CountersData c) => new()
    {
        NetworkEvaluations = c.NetworkEvaluations,
        AcceptedSteps = c.AcceptedSteps,
        RejectedSteps = c.RejectedSteps,
        InputOverflows = c.InputOverflows,
        SaturatedOutputs = c.SaturatedOutputs,
        EmbeddingOverflows = c.EmbeddingOverflows,
        EmbeddingValues = c.EmbeddingValues,
        IntegratorClips = c.IntegratorClips,
        SampleEvaluations = c.SampleEvaluations,
        ScoreAdcOverflows = c.ScoreAdcOverflows,
        TileAdcOverflows = c.TileAdcOverflows,
    };

    /// <summary>Writes <paramref name="lane"/> into the lane grain's persistent checkpoint.</summary>
    public static void Save(LaneState lane, LaneAssignment assignment, LaneCheckpoint into)
    {
        into.Assignment = assignment;
        into.X = Bytes<double>(lane.X);
        into.Segment = lane.Segment;
        into.StepSizes = Bytes<double>(lane.StepSizes);
        into.Times = Bytes<double>(lane.Times);
        into.Slopes = Bytes<double>(lane.Slopes);
        into.SlopePowers = Bytes<double>(lane.SlopePowers);
        into.TileCellEnergyJoules = Bytes<double>(lane.TileCellEnergyJoules);
        into.TileMvms = lane.TileMvms.ToArray();
        into.Counters = lane.Counters.ToWire();
    }

    public static LaneState Restore(LaneCheckpoint c)
    {
        var a = c.Assignment ?? throw new InvalidOperationException("checkpoint without an assignment");
        return new LaneState
        {
            FirstSample = a.FirstSample,
            Count = a.Count,
            Labels = a.Labels,
            X = Values<double>(c.X),
            Segment = c.Segment,
            StepSizes = Values<double>(c.StepSizes),
            Times = Values<double>(c.Times),
            Slopes = Values<double>(c.Slopes),
            SlopePowers = Values<double>(c.SlopePowers),
            TileCellEnergyJoules = Values<double>(c.TileCellEnergyJoules),
            TileMvms = c.TileMvms.ToArray(),
            Counters = (c.Counters ?? throw new InvalidOperationException("checkpoint without counters")).ToEngine(),
        };
    }

    public static RunSummary ToWire(this AnalogRunResult r) => new(
        Bytes<float>(r.Samples), r.Labels, r.Dim,
        r.Tiles.Select(t => new TileCost(t.Id, t.Layer, t.Chip, t.EnergyJoules, t.CellEnergyJoules, t.TiaEnergyJoules, t.ConverterEnergyJoules,
            t.LinkEnergyJoules, t.MvmCount, t.AdcConversions, t.SimulatedLatencySeconds)).ToArray(),
        new EnergyData(r.Energy.CrossbarCells, r.Energy.Tia, r.Energy.TileConverters, r.Energy.Interconnect, r.Energy.ActivationCircuits,
            r.Energy.EmbeddingDacs, r.Energy.CoefficientDacs, r.Energy.NoiseDacs, r.Energy.Integrators, r.Energy.Controller, r.Energy.ReadoutAdc, r.Energy.InitialConditionDacs),
        r.Links.Select(l => new LinkCost(l.From, l.To, l.Signals, l.Bits, l.EnergyJoules)).ToArray(),
        r.TimePerSampleSeconds, r.GenerationSeconds, r.LoopDelaySeconds, r.Segments, r.ControllerUpdates, r.Lanes, r.Counters.ToWire(), r.LaneRetries, r.LaneSize);

    public static AnalogRunResult ToEngine(this RunSummary s) => new()
    {
        Samples = Values<float>(s.Samples),
        Labels = s.Labels,
        Dim = s.Dim,
        Tiles = s.Tiles.Select(t => new TileReport(t.Id, t.Layer, t.Chip, t.EnergyJoules, t.CellEnergyJoules, t.TiaEnergyJoules,
            t.ConverterEnergyJoules, t.LinkEnergyJoules, t.MvmCount, t.AdcConversions, t.SimulatedLatencySeconds)).ToList(),
        Energy = new EnergyBreakdown(s.Energy.CrossbarCells, s.Energy.Tia, s.Energy.TileConverters, s.Energy.Interconnect, s.Energy.ActivationCircuits,
            s.Energy.EmbeddingDacs, s.Energy.CoefficientDacs, s.Energy.NoiseDacs, s.Energy.Integrators, s.Energy.Controller, s.Energy.ReadoutAdc, s.Energy.InitialConditionDacs),
        Links = s.Links.Select(l => new ChipLink(l.From, l.To, l.Signals, l.Bits, l.EnergyJoules)).ToList(),
        TimePerSampleSeconds = s.TimePerSampleSeconds,
        GenerationSeconds = s.GenerationSeconds,
        LoopDelaySeconds = s.LoopDelaySeconds,
        Segments = s.Segments,
        ControllerUpdates = s.ControllerUpdates,
        Lanes = s.Lanes,
        Counters = s.Counters.ToEngine(),
        LaneRetries = s.LaneRetries,
        LaneSize = s.LaneSize,
    };

    public static byte[] Bytes<T>(ReadOnlySpan<T> values) where T : struct => MemoryMarshal.AsBytes(values).ToArray();

    public static T[] Values<T>(ReadOnlySpan<byte> bytes) where T : struct => MemoryMarshal.Cast<byte, T>(bytes).ToArray();
}
