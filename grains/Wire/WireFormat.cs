using System.Runtime.InteropServices;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;

namespace MemristorGrid.Grains.Wire;

/// <summary>
/// The engine's records ↔ their wire and storage forms, exactly (numbers as byte buffers, every field by
/// name). The one place that knows both sides: grain-interfaces depends on no engine type. Every field is
/// passed by name — a wire record's positional fields are many and of one type, so an argument in the wrong
/// place would still compile — and <c>tests/cluster/WireTests.cs</c> checks that each engine field has its
/// same-named wire field (docs/architecture.md, "The wire": why the mirrors stay).
/// </summary>
public static class WireFormat
{
    public static RunSettings ToWire(this AnalogRunOptions o) => new(
        Sampler: o.Kind == SamplerKind.Sde ? RunSampler.Sde : RunSampler.Ode, StartTime: o.StartTime, EndTime: o.EndTime, ScheduleScale: o.ScheduleScale,
        GuidanceWeight: o.GuidanceWeight, Seed: o.Seed, ProgramSeed: o.ProgramSeed, LaneSize: o.LaneSize, RelativeTolerance: o.RelativeTolerance,
        AbsoluteTolerance: o.AbsoluteTolerance, SdeScheme: o.SdeScheme == SdeScheme.Sra1 ? RunSdeScheme.Sra1 : RunSdeScheme.EulerMaruyama,
        Substeps: o.Substeps, ContinuousSegments: o.ContinuousSegments);

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
        NetworkEvaluations: c.NetworkEvaluations, AcceptedSteps: c.AcceptedSteps, RejectedSteps: c.RejectedSteps, InputOverflows: c.InputOverflows,
        SaturatedOutputs: c.SaturatedOutputs, EmbeddingOverflows: c.EmbeddingOverflows, EmbeddingValues: c.EmbeddingValues, IntegratorClips: c.IntegratorClips,
        SampleEvaluations: c.SampleEvaluations, ScoreAdcOverflows: c.ScoreAdcOverflows, TileAdcOverflows: c.TileAdcOverflows,
        PeripheryClips: c.PeripheryClips, DigitalConversions: c.DigitalConversions, DigitalAdcOverflows: c.DigitalAdcOverflows);

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
        PeripheryClips = c.PeripheryClips,
        DigitalConversions = c.DigitalConversions,
        DigitalAdcOverflows = c.DigitalAdcOverflows,
    };

    /// <summary>Writes <paramref name="lane"/> into the lane grain's persistent checkpoint.</summary>
    /// <summary>Writes <paramref name="lane"/> into a checkpoint. A <paramref name="finished"/> lane is never resumed, so its
    /// checkpoint keeps what its result needs (x, costs, counters) without the solver's resume state (step sizes, times, slopes
    /// and their cell powers: 56 of its 80 bytes a sample on ring), which every finished lane held until the job ended.</summary>
    public static void Save(LaneState lane, LaneAssignment assignment, LaneCheckpoint into, bool finished = false)
    {
        into.Assignment = assignment;
        into.X = Bytes<double>(lane.X);
        into.Segment = lane.Segment;
        into.StepSizes = finished ? [] : Bytes<double>(lane.StepSizes);
        into.Times = finished ? [] : Bytes<double>(lane.Times);
        into.Slopes = finished ? [] : Bytes<double>(lane.Slopes);
        into.SlopePowers = finished ? [] : Bytes<double>(lane.SlopePowers);
        into.TileCellEnergyJoules = Bytes<double>(lane.TileCellEnergyJoules);
        into.TileMvms = lane.TileMvms.ToArray();
        into.Counters = lane.Counters.ToWire();
        into.SampleCellEnergyJoules = Bytes<double>(lane.SampleCellEnergyJoules);
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
            SampleCellEnergyJoules = Values<double>(c.SampleCellEnergyJoules),
        };
    }

    public static TileCost ToWire(this TileReport t) => new(Id: t.Id, Layer: t.Layer, Chip: t.Chip, EnergyJoules: t.EnergyJoules,
        CellEnergyJoules: t.CellEnergyJoules, TiaEnergyJoules: t.TiaEnergyJoules, ConverterEnergyJoules: t.ConverterEnergyJoules,
        LinkEnergyJoules: t.LinkEnergyJoules, MvmCount: t.MvmCount, AdcConversions: t.AdcConversions, SimulatedLatencySeconds: t.SimulatedLatencySeconds);

    public static TileReport ToEngine(this TileCost t) => new(Id: t.Id, Layer: t.Layer, Chip: t.Chip, EnergyJoules: t.EnergyJoules,
        CellEnergyJoules: t.CellEnergyJoules, TiaEnergyJoules: t.TiaEnergyJoules, ConverterEnergyJoules: t.ConverterEnergyJoules,
        LinkEnergyJoules: t.LinkEnergyJoules, MvmCount: t.MvmCount, AdcConversions: t.AdcConversions, SimulatedLatencySeconds: t.SimulatedLatencySeconds);

    public static EnergyData ToWire(this EnergyBreakdown e) => new(CrossbarCells: e.CrossbarCells, Tia: e.Tia, TileConverters: e.TileConverters,
        Interconnect: e.Interconnect, ActivationCircuits: e.ActivationCircuits, EmbeddingDacs: e.EmbeddingDacs, CoefficientDacs: e.CoefficientDacs,
        NoiseDacs: e.NoiseDacs, Integrators: e.Integrators, Controller: e.Controller, ReadoutAdc: e.ReadoutAdc, InitialConditionDacs: e.InitialConditionDacs);

    public static EnergyBreakdown ToEngine(this EnergyData e) => new(CrossbarCells: e.CrossbarCells, Tia: e.Tia, TileConverters: e.TileConverters,
        Interconnect: e.Interconnect, ActivationCircuits: e.ActivationCircuits, EmbeddingDacs: e.EmbeddingDacs, CoefficientDacs: e.CoefficientDacs,
        NoiseDacs: e.NoiseDacs, Integrators: e.Integrators, Controller: e.Controller, ReadoutAdc: e.ReadoutAdc, InitialConditionDacs: e.InitialConditionDacs);

    public static RunSummary ToWire(this AnalogRunResult r) => new(
        Samples: Bytes<float>(r.Samples), Labels: r.Labels, Dim: r.Dim, Tiles: r.Tiles.Select(ToWire).ToArray(), Energy: r.Energy.ToWire(),
        Links: r.Links.Select(l => new LinkCost(From: l.From, To: l.To, Signals: l.Signals, Bits: l.Bits, EnergyJoules: l.EnergyJoules)).ToArray(),
        TimePerSampleSeconds: r.TimePerSampleSeconds, GenerationSeconds: r.GenerationSeconds, LoopDelaySeconds: r.LoopDelaySeconds, Segments: r.Segments,
        ControllerUpdates: r.ControllerUpdates, Lanes: r.Lanes, Counters: r.Counters.ToWire(), LaneRetries: r.LaneRetries, LaneSize: r.LaneSize,
        SampleCellEnergy: r.SampleCellEnergy is { } e ? new SampleEnergyData(e.MedianJoules, e.MaxJoules, e.Runaways, e.Samples) : null);

    public static AnalogRunResult ToEngine(this RunSummary s) => new()
    {
        Samples = Values<float>(s.Samples),
        Labels = s.Labels,
        Dim = s.Dim,
        Tiles = s.Tiles.Select(ToEngine).ToList(),
        Energy = s.Energy.ToEngine(),
        Links = s.Links.Select(l => new ChipLink(From: l.From, To: l.To, Signals: l.Signals, Bits: l.Bits, EnergyJoules: l.EnergyJoules)).ToList(),
        TimePerSampleSeconds = s.TimePerSampleSeconds,
        GenerationSeconds = s.GenerationSeconds,
        LoopDelaySeconds = s.LoopDelaySeconds,
        Segments = s.Segments,
        ControllerUpdates = s.ControllerUpdates,
        Lanes = s.Lanes,
        Counters = s.Counters.ToEngine(),
        LaneRetries = s.LaneRetries,
        LaneSize = s.LaneSize,
        SampleCellEnergy = s.SampleCellEnergy is { } e ? new SampleEnergyStatistics(e.MedianJoules, e.MaxJoules, e.Runaways, e.Samples) : null,
    };

    public static byte[] Bytes<T>(ReadOnlySpan<T> values) where T : struct => MemoryMarshal.AsBytes(values).ToArray();

    public static T[] Values<T>(ReadOnlySpan<byte> bytes) where T : struct => MemoryMarshal.Cast<byte, T>(bytes).ToArray();
}
