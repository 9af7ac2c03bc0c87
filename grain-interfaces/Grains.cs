namespace MemristorGrid.GrainInterfaces;

/// <summary>Grain keys. A tile's key names its chip, so placement can keep a chip's tiles together
/// without asking anyone: <c>dep-…/chip2/L1/r0/c3</c>.</summary>
public static class GrainKeys
{
    public static string Tile(string deployment, int chip, int layer, int rowBlock, int colBlock) =>
        $"{deployment}/chip{chip}/L{layer}/r{rowBlock}/c{colBlock}";

    public static string Labels(string deployment) => $"{deployment}/labels";

    public static string Lane(string job, int lane) => $"{job}/lane-{lane}";

    /// <summary>The chip number in a tile key (−1 when the key names none).</summary>
    public static int ChipOf(string key)
    {
        int start = key.IndexOf("/chip", StringComparison.Ordinal);
        if (start < 0) return -1;
        start += 5;
        int end = key.IndexOf('/', start);
        return int.TryParse(end < 0 ? key[start..] : key[start..end], out int chip) ? chip : -1;
    }

    /// <summary>(deployment, layer, row block, column block) of a tile key.</summary>
    public static (string Deployment, int Layer, int RowBlock, int ColBlock) ParseTile(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 5 || parts[2][0] != 'L' || parts[3][0] != 'r' || parts[4][0] != 'c')
            throw new ArgumentException($"not a tile key: {key}");
        return (parts[0], int.Parse(parts[2][1..]), int.Parse(parts[3][1..]), int.Parse(parts[4][1..]));
    }
}

/// <summary>One crossbar tile: evaluates a lane's input voltages into partial output currents. Holds
/// nothing that cannot be rebuilt from its deployment, so losing an activation loses nothing.</summary>
[Alias("mg.ICrossbarTileGrain")]
public interface ICrossbarTileGrain : IGrainWithStringKey
{
    /// <summary>Pure given the programmed conductances, so requests from different lanes may run at once.</summary>
    [Alias("Evaluate"), Orleans.Concurrency.AlwaysInterleave]
    Task<TileResponse> EvaluateAsync(TileRequest request);

    [Alias("Describe")]
    Task<TilePlacement> DescribeAsync();
}

/// <summary>One lane of integrator channels: owns its state x(τ), drives its network passes through the
/// tiles and checkpoints after every window.</summary>
[Alias("mg.IIntegratorChannelGrain")]
public interface IIntegratorChannelGrain : IGrainWithStringKey
{
    /// <summary>Advances the lane until it has finished <paramref name="targetSegment"/> segments (or the
    /// run). Idempotent: a repeated call after success returns at once.</summary>
    [Alias("AdvanceTo")]
    Task<LaneProgress> AdvanceToAsync(LaneAssignment assignment, int targetSegment);

    [Alias("GetCheckpoint")]
    Task<LaneCheckpoint> GetCheckpointAsync();
}

/// <summary>The conditional-label encoder of a deployment: class names → constant embedding voltages.</summary>
[Alias("mg.ILabelEncoderGrain")]
public interface ILabelEncoderGrain : IGrainWithStringKey
{
    [Alias("GetEmbeddings")]
    Task<LabelEmbeddings> GetEmbeddingsAsync();
}

/// <summary>A programmed deployment: model, profile and chip seed; answers where its tiles are.</summary>
[Alias("mg.IDeploymentGrain")]
public interface IDeploymentGrain : IGrainWithStringKey
{
    [Alias("Define")]
    Task DefineAsync(DeploymentSpec spec);

    [Alias("GetSpec"), Orleans.Concurrency.AlwaysInterleave]
    Task<DeploymentSpec> GetSpecAsync();

    /// <summary>Activates every tile and reports its silo.</summary>
    [Alias("GetPlacement")]
    Task<TilePlacement[]> GetPlacementAsync();
}

/// <summary>A generation job: splits the samples into lanes, drives and supervises them (re-driving a
/// lane whose silo died), and gathers their results.</summary>
[Alias("mg.IGenerationJobGrain")]
public interface IGenerationJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job; idempotent for the same spec.</summary>
    [Alias("Start")]
    Task StartAsync(JobSpec spec);

    [Alias("GetStatus"), Orleans.Concurrency.AlwaysInterleave]
    Task<JobStatus> GetStatusAsync();

    [Alias("GetResult")]
    Task<JobResult> GetResultAsync();
}
