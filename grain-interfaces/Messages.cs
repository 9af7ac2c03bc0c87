using System.Security.Cryptography;
using System.Text;

namespace MemristorGrid.GrainInterfaces;

/// <summary>What a deployment is made of: the model file, the hardware profile and the chip seed.
/// Tiles derive their conductances from it, so it is all a silo needs to rebuild any tile.</summary>
[GenerateSerializer, Immutable, Alias("mg.DeploymentSpec")]
public sealed record DeploymentSpec(
    [property: Id(0)] byte[] ModelBytes,
    [property: Id(1)] string ModelName,
    [property: Id(2)] string ProfileJson,
    [property: Id(3)] ulong ProgramSeed,
    [property: Id(4)] byte[]? Staging = null)
{
    /// <summary>Content address: the same model, profile, chip seed (and a general graph's gain staging) always name the same deployment.</summary>
    public string Id()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(ModelBytes);
        hash.AppendData(Encoding.UTF8.GetBytes(ProfileJson));
        hash.AppendData(BitConverter.GetBytes(ProgramSeed));
        if (Staging is { Length: > 0 } staging) hash.AppendData(staging);
        return "dep-" + Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}

/// <summary>A lane's batch for one chip step (<c>ChipStep</c>, by its index in the pass) in one segment of
/// analog time: the activations entering the step, float32 [count × input width]; its samples are
/// FirstSample, FirstSample + 1, … or, when some of the lane's samples sit this evaluation out, the
/// global indices in <see cref="Samples"/> (int64). A step that applies activations also carries the
/// embedding rows (float32 [rows × H]) and each sample's row (int32 [count]); others carry them empty.
/// Buffers are slices of the sender's reused ones: a local call shares them (the type is immutable), a
/// remote one serialises only the slice.</summary>
[GenerateSerializer, Immutable, Alias("mg.ChipRequest")]
public sealed record ChipRequest(
    [property: Id(0)] int Step,
    [property: Id(1)] ReadOnlyMemory<byte> Inputs,
    [property: Id(2)] int Count,
    [property: Id(3)] ulong Seed,
    [property: Id(4)] long FirstSample,
    [property: Id(5)] long Segment,
    [property: Id(6)] int Pass,
    [property: Id(7)] bool Traced,
    [property: Id(8)] ReadOnlyMemory<byte> Samples,
    [property: Id(9)] ReadOnlyMemory<byte> Embedding,
    [property: Id(10)] ReadOnlyMemory<byte> EmbeddingRows);

/// <summary>A chip step's or one tile's outputs (float32 little-endian, [count × the step's output width, or the tile's columns]),
/// each tile's cell power per sample (float64, W, [tiles × count]) and what the reads counted.</summary>
[GenerateSerializer, Immutable, Alias("mg.ChipResponse")]
public sealed record ChipResponse(
    [property: Id(0)] ReadOnlyMemory<byte> Outputs,
    [property: Id(1)] ReadOnlyMemory<byte> TilePower,
    [property: Id(2)] double CellPowerWatts,
    [property: Id(3)] int InputOverflows,
    [property: Id(4)] int SaturatedOutputs,
    [property: Id(5)] int AdcOverflows);

/// <summary>A lane's batch for one step of a general graph's pass (a layer's tiles on one chip, by the step's index in the
/// plan): the layer's input, float32 [count × its size] (a Conv's feature map: the chip unrolls it), and the samples' global
/// indices (int64 [count]) that key the read noise. The answer is a <see cref="ChipResponse"/>: the chip's partial sums
/// [count·vectors × outputs] and each of its tiles' cell power per sample.</summary>
[GenerateSerializer, Immutable, Alias("mg.GraphChipRequest")]
public sealed record GraphChipRequest(
    [property: Id(0)] int Step,
    [property: Id(1)] ReadOnlyMemory<byte> Activation,
    [property: Id(2)] int Count,
    [property: Id(3)] ulong Seed,
    [property: Id(4)] long FirstSample,
    [property: Id(5)] long Segment,
    [property: Id(6)] int Pass,
    [property: Id(7)] ReadOnlyMemory<byte> Samples);

/// <summary>A finished general-graph job: its samples (float32 [count × D]), what its lanes counted, each tile's cell energy
/// (float64 J) and MVMs; the client accounts time and energy from these with the loop design it made.</summary>
[GenerateSerializer, Immutable, Alias("mg.GraphRunData")]
public sealed record GraphRunData(
    [property: Id(0)] byte[] Samples,
    [property: Id(1)] int[] Labels,
    [property: Id(2)] int Dim,
    [property: Id(3)] CountersData Counters,
    [property: Id(4)] byte[] TileCellEnergyJoules,
    [property: Id(5)] long[] TileMvms,
    [property: Id(6)] int LaneRetries,
    [property: Id(7)] int LaneSize);

/// <summary>Where a tile lives.</summary>
[GenerateSerializer, Immutable, Alias("mg.TilePlacement")]
public sealed record TilePlacement(
    [property: Id(0)] string TileId,
    [property: Id(1)] int Chip,
    [property: Id(2)] string Silo);

/// <summary>The label encoder's constant DAC voltages: [(classes + 1) × H] float32, last row the null label.</summary>
[GenerateSerializer, Immutable, Alias("mg.LabelEmbeddings")]
public sealed record LabelEmbeddings(
    [property: Id(0)] byte[] Table,
    [property: Id(1)] string[] ClassNames);

public enum RunSampler { Ode, Sde }

/// <summary>Where tile evaluations run: on each lane's own silo (replicas), or with their chip (one silo per chip).</summary>
public enum TilePlacementMode { Local, Chips }

public enum RunSdeScheme { EulerMaruyama, Sra1 }

/// <summary>The run options of a job (the engine's AnalogRunOptions, field by field).</summary>
[GenerateSerializer, Immutable, Alias("mg.RunSettings")]
public sealed record RunSettings(
    [property: Id(0)] RunSampler Sampler,
    [property: Id(1)] double StartTime,
    [property: Id(2)] double EndTime,
    [property: Id(3)] double ScheduleScale,
    [property: Id(4)] float GuidanceWeight,
    [property: Id(5)] ulong Seed,
    [property: Id(6)] ulong ProgramSeed,
    [property: Id(7)] int LaneSize,
    [property: Id(8)] double RelativeTolerance,
    [property: Id(9)] double AbsoluteTolerance,
    [property: Id(10)] RunSdeScheme SdeScheme,
    [property: Id(11)] int Substeps,
    [property: Id(12)] int ContinuousSegments);

/// <summary>One lane of a job: which samples, with which labels, under which run options.</summary>
[GenerateSerializer, Immutable, Alias("mg.LaneAssignment")]
public sealed record LaneAssignment(
    [property: Id(0)] string DeploymentId,
    [property: Id(1)] RunSettings Options,
    [property: Id(2)] long FirstSample,
    [property: Id(3)] int Count,
    [property: Id(4)] int[] Labels,
    [property: Id(5)] TilePlacementMode Placement)
{
    /// <summary>Same lane of the same job (records compare arrays by reference; labels by content here).</summary>
    public bool SameAs(LaneAssignment other) =>
        DeploymentId == other.DeploymentId && Options == other.Options && FirstSample == other.FirstSample
        && Count == other.Count && Labels.AsSpan().SequenceEqual(other.Labels) && Placement == other.Placement;
}

/// <summary>How far a lane is.</summary>
[GenerateSerializer, Immutable, Alias("mg.LaneProgress")]
public sealed record LaneProgress(
    [property: Id(0)] int Segment,
    [property: Id(1)] int SegmentCount);

/// <summary>What a lane (or a run) counted (the engine's LaneCounters, field by field).</summary>
[GenerateSerializer, Immutable, Alias("mg.Counters")]
public sealed record CountersData(
    [property: Id(0)] long NetworkEvaluations,
    [property: Id(1)] long AcceptedSteps,
    [property: Id(2)] long RejectedSteps,
    [property: Id(3)] long InputOverflows,
    [property: Id(4)] long SaturatedOutputs,
    [property: Id(5)] long EmbeddingOverflows,
    [property: Id(6)] long EmbeddingValues,
    [property: Id(7)] long IntegratorClips,
    [property: Id(8)] long SampleEvaluations,
    [property: Id(9)] long ScoreAdcOverflows = 0,
    [property: Id(10)] long TileAdcOverflows = 0,
    [property: Id(11)] long PeripheryClips = 0,
    [property: Id(12)] long DigitalConversions = 0,
    [property: Id(13)] long DigitalAdcOverflows = 0);

/// <summary>A lane's whole state (its checkpoint): integrator outputs, position in analog time and costs so far.</summary>
[GenerateSerializer, Alias("mg.LaneCheckpoint")]
public sealed class LaneCheckpoint
{
    [Id(0)] public LaneAssignment? Assignment { get; set; }

    /// <summary>Integrator outputs, float64 little-endian [count × D].</summary>
    [Id(1)] public byte[] X { get; set; } = [];
    [Id(2)] public int Segment { get; set; }

    /// <summary>Per sample, the ODE step size proposed next, float64 little-endian.</summary>
    [Id(7)] public byte[] StepSizes { get; set; } = [];

    /// <summary>Where segments are only checkpoints (ODE, continuous controller): per sample its reverse time,
    /// its last derivative [count × D] and that derivative's cell power per tile, float64 little-endian; empty otherwise.</summary>
    [Id(8)] public byte[] Times { get; set; } = [];
    [Id(9)] public byte[] Slopes { get; set; } = [];
    [Id(10)] public byte[] SlopePowers { get; set; } = [];

    /// <summary>Per tile cell energy so far, float64 little-endian.</summary>
    [Id(4)] public byte[] TileCellEnergyJoules { get; set; } = [];
    [Id(5)] public long[] TileMvms { get; set; } = [];
    [Id(6)] public CountersData? Counters { get; set; }

    /// <summary>Per sample: its cell energy over every tile (float64, little-endian); kept by a finished lane for the runaway check.</summary>
    [Id(11)] public byte[] SampleCellEnergyJoules { get; set; } = [];
}

/// <summary>Per-tile cost of a run (the engine's TileActivity).</summary>
[GenerateSerializer, Immutable, Alias("mg.TileCost")]
public sealed record TileCost(
    [property: Id(0)] string Id, [property: Id(1)] int Layer, [property: Id(2)] int Chip,
    [property: Id(3)] double EnergyJoules, [property: Id(4)] double CellEnergyJoules, [property: Id(5)] double TiaEnergyJoules,
    [property: Id(6)] double ConverterEnergyJoules, [property: Id(7)] double LinkEnergyJoules,
    [property: Id(8)] long MvmCount, [property: Id(9)] double AdcConversions, [property: Id(10)] double SimulatedLatencySeconds);

/// <summary>Digitised traffic between two chips (the engine's ChipLink).</summary>
[GenerateSerializer, Immutable, Alias("mg.LinkCost")]
public sealed record LinkCost(
    [property: Id(0)] int From, [property: Id(1)] int To, [property: Id(2)] int Signals, [property: Id(3)] double Bits, [property: Id(4)] double EnergyJoules);

/// <summary>Energy by component (the engine's EnergyBreakdown).</summary>
[GenerateSerializer, Immutable, Alias("mg.EnergyData")]
public sealed record EnergyData(
    [property: Id(0)] double CrossbarCells, [property: Id(1)] double Tia, [property: Id(2)] double TileConverters,
    [property: Id(3)] double Interconnect, [property: Id(4)] double ActivationCircuits, [property: Id(5)] double EmbeddingDacs,
    [property: Id(6)] double CoefficientDacs, [property: Id(7)] double NoiseDacs, [property: Id(8)] double Integrators,
    [property: Id(9)] double Controller, [property: Id(10)] double ReadoutAdc,
    [property: Id(11)] double InitialConditionDacs);

/// <summary>The finished run (the engine's AnalogRunResult): samples as float32 little-endian [count × dim].</summary>
[GenerateSerializer, Immutable, Alias("mg.RunSummary")]
public sealed record RunSummary(
    [property: Id(0)] byte[] Samples,
    [property: Id(1)] int[] Labels,
    [property: Id(2)] int Dim,
    [property: Id(3)] TileCost[] Tiles,
    [property: Id(4)] EnergyData Energy,
    [property: Id(5)] LinkCost[] Links,
    [property: Id(6)] double TimePerSampleSeconds,
    [property: Id(7)] double GenerationSeconds,
    [property: Id(8)] double LoopDelaySeconds,
    [property: Id(9)] int Segments,
    [property: Id(10)] int ControllerUpdates,
    [property: Id(11)] int Lanes,
    [property: Id(12)] CountersData Counters,
    [property: Id(13)] int LaneRetries,
    [property: Id(14)] int LaneSize,
    [property: Id(15)] SampleEnergyData? SampleCellEnergy = null);

/// <summary>One tile's energy and products on one silo for one job (finished lanes).</summary>
[GenerateSerializer, Immutable, Alias("mg.TileTotals")]
public sealed record TileTotals(
    [property: Id(0)] string Id, [property: Id(1)] int Layer, [property: Id(2)] int Chip,
    [property: Id(3)] double EnergyJoules, [property: Id(4)] long Mvms);

/// <summary>What one silo did for one job: samples of its finished lanes and their energy, since the job reached it.</summary>
[GenerateSerializer, Immutable, Alias("mg.SiloJobTotals")]
public sealed record SiloJobTotals(
    [property: Id(0)] string Job, [property: Id(1)] string Deployment,
    [property: Id(2)] DateTime EnlistedUtc, [property: Id(3)] DateTime? LastLaneUtc,
    [property: Id(4)] long Samples, [property: Id(5)] double TileEnergyJoules, [property: Id(6)] double PeripheryEnergyJoules,
    [property: Id(7)] TileTotals[] Tiles);
