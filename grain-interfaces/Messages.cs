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
    [property: Id(3)] ulong ProgramSeed)
{
    /// <summary>Content address: the same model, profile and chip seed always name the same deployment.</summary>
    public string Id()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(ModelBytes);
        hash.AppendData(Encoding.UTF8.GetBytes(ProfileJson));
        hash.AppendData(BitConverter.GetBytes(ProgramSeed));
        return "dep-" + Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}

/// <summary>A lane's batch of input voltages for one tile at one point of analog time.</summary>
[GenerateSerializer, Immutable, Alias("mg.TileRequest")]
public sealed record TileRequest(
    [property: Id(0)] byte[] Inputs,
    [property: Id(1)] int Count,
    [property: Id(2)] ulong Seed,
    [property: Id(3)] long FirstSample,
    [property: Id(4)] long Segment,
    [property: Id(5)] int Pass,
    [property: Id(6)] bool Traced);

/// <summary>A tile's output voltages (float32 little-endian, [count × cols]) and what the read cost.</summary>
[GenerateSerializer, Immutable, Alias("mg.TileResponse")]
public sealed record TileResponse(
    [property: Id(0)] byte[] Outputs,
    [property: Id(1)] double CellPowerWatts,
    [property: Id(2)] int InputOverflows,
    [property: Id(3)] int SaturatedOutputs);

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

/// <summary>One lane of a job: which samples, with which labels, under which run options (JSON).</summary>
[GenerateSerializer, Immutable, Alias("mg.LaneAssignment")]
public sealed record LaneAssignment(
    [property: Id(0)] string DeploymentId,
    [property: Id(1)] string OptionsJson,
    [property: Id(2)] long FirstSample,
    [property: Id(3)] int Count,
    [property: Id(4)] int[] Labels);

/// <summary>How far a lane is.</summary>
[GenerateSerializer, Immutable, Alias("mg.LaneProgress")]
public sealed record LaneProgress(
    [property: Id(0)] int Segment,
    [property: Id(1)] int SegmentCount);

/// <summary>A lane's whole state (its checkpoint): integrator outputs, position in analog time and costs so far.</summary>
[GenerateSerializer, Alias("mg.LaneCheckpoint")]
public sealed class LaneCheckpoint
{
    [Id(0)] public LaneAssignment? Assignment { get; set; }
    [Id(1)] public byte[] X { get; set; } = [];
    [Id(2)] public int Segment { get; set; }
    [Id(3)] public double StepSize { get; set; }
    [Id(4)] public byte[] TileCellEnergyJoules { get; set; } = [];
    [Id(5)] public long[] TileMvms { get; set; } = [];
    [Id(6)] public long[] Counters { get; set; } = [];
}

/// <summary>A generation job: the deployment, the run options (JSON), and the samples to make.</summary>
[GenerateSerializer, Immutable, Alias("mg.JobSpec")]
public sealed record JobSpec(
    [property: Id(0)] DeploymentSpec Deployment,
    [property: Id(1)] string OptionsJson,
    [property: Id(2)] int Count,
    [property: Id(3)] int[] Labels,
    [property: Id(4)] int WindowSegments,
    [property: Id(5)] int MaxConcurrentLanesPerSilo);

[GenerateSerializer, Immutable, Alias("mg.JobStatus")]
public sealed record JobStatus(
    [property: Id(0)] int LanesDone,
    [property: Id(1)] int Lanes,
    [property: Id(2)] long SegmentsDone,
    [property: Id(3)] long Segments,
    [property: Id(4)] bool Finished,
    [property: Id(5)] string? Error,
    [property: Id(6)] int LaneRetries,
    [property: Id(7)] bool ErrorIsUserInput);

/// <summary>Every lane's final checkpoint, in lane order.</summary>
[GenerateSerializer, Immutable, Alias("mg.JobResult")]
public sealed record JobResult(
    [property: Id(0)] LaneCheckpoint[] Lanes,
    [property: Id(1)] int LaneRetries);
