namespace MemristorGrid.GrainInterfaces;

/// <summary>One crossbar tile of a deployment (keyed by deployment, chip and tile): owns the tile's programmed conductances (from
/// its deployment, a pure function of model, profile, chip seed and tile, so losing an activation loses nothing), counts its
/// reads and keeps its telemetry, and evaluates a lane's batch of row inputs — the tile's MVM through its converters.</summary>
[Alias("mg.ICrossbarTileGrain")]
public interface ICrossbarTileGrain : IGrainWithStringKey
{
    /// <summary>Pure given the programmed conductances: a placed tile computes concurrent lanes' batches at once.</summary>
    [Alias("Evaluate"), Orleans.Concurrency.AlwaysInterleave]
    Task<ChipResponse> EvaluateAsync(TileRequest request);

    /// <summary>Where the tile is served, and the MVMs this activation has done.</summary>
    [Alias("Describe")]
    Task<TileActivity> DescribeAsync();
}

/// <summary>A tile served on the silo of the lane that calls it (the default placement): one activation per tile on each
/// silo, each silo programming its own replica of the chips.</summary>
[Alias("mg.ILocalTileGrain")]
public interface ILocalTileGrain : ICrossbarTileGrain;

/// <summary>A tile placed with its chip on the chip's one silo (<c>--placement chips</c>), by the chip's rule.</summary>
[Alias("mg.IPlacedTileGrain")]
public interface IPlacedTileGrain : ICrossbarTileGrain;

/// <summary>A chip's periphery on the chip's own silo (<c>--placement chips</c>): takes a lane's step — a chain of layers on
/// the chip, or its share of a layer that spans chips — sends each tile its rows (its <see cref="IPlacedTileGrain"/>s, on
/// the same silo), adds their partial sums and applies the activation circuits. Holds nothing its deployment cannot rebuild.
/// Chips are dealt over the silos: a partitioned multi-chip deployment whose interconnect crosses processes.</summary>
[Alias("mg.IChipGrain")]
public interface IChipGrain : IGrainWithStringKey
{
    /// <summary>Lanes' steps interleave: each waits on its tiles.</summary>
    [Alias("Evaluate"), Orleans.Concurrency.AlwaysInterleave]
    Task<ChipResponse> EvaluateAsync(ChipRequest request);

    /// <summary>Where the chip's tiles are served (it asks each).</summary>
    [Alias("Describe")]
    Task<TilePlacement[]> DescribeAsync();
}

/// <summary>One chip of a general graph's deployment (a U-Net's): evaluates, in one call, a lane's batch for the chip's tiles of
/// one layer (<c>GraphChipStep</c>) — the layer's input unrolled on the chip, through its tiles, into the chip's partial sums.
/// Like <see cref="IChipGrain"/> it holds only what its deployment rebuilds.</summary>
[Alias("mg.IGraphChipGrain")]
public interface IGraphChipGrain : IGrainWithStringKey
{
    [Alias("Evaluate"), Orleans.Concurrency.AlwaysInterleave]
    Task<ChipResponse> EvaluateAsync(GraphChipRequest request);
}

/// <summary>A general graph's chip on its own silo (<c>--placement chips</c>).</summary>
[Alias("mg.IPlacedGraphChipGrain")]
public interface IPlacedGraphChipGrain : IGraphChipGrain;

/// <summary>A general graph's chip served on the silo of the lane that calls it (the default placement).</summary>
[Alias("mg.ILocalGraphChipGrain")]
public interface ILocalGraphChipGrain : IGraphChipGrain;

/// <summary>One lane of integrator channels: owns its state x(τ), drives its network passes through the
/// tiles window after window by itself, and checkpoints after every window.</summary>
[Alias("mg.IIntegratorChannelGrain")]
public interface IIntegratorChannelGrain : IGrainWithStringKey
{
    /// <summary>Makes sure the lane is integrating — started, or resumed from its checkpoint after its
    /// activation was lost — and reports how far its saved checkpoint is. Idempotent; the job polls it.
    /// A failure of the lane's own integration is thrown by the next call.</summary>
    [Alias("Run")]
    Task<LaneProgress> RunAsync(LaneAssignment assignment, int windowSegments);

    [Alias("GetCheckpoint")]
    Task<LaneCheckpoint> GetCheckpointAsync();

    /// <summary>Deletes the lane's checkpoint (its job has delivered its result).</summary>
    [Alias("Forget")]
    Task ForgetAsync();
}

/// <summary>The conditional-label encoder of a deployment: the one owner of its class embeddings, the
/// constant voltages the controller's DACs add for each class.</summary>
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

    /// <summary>Activates every chip and tile grain of the chips placement (<c>--placement chips</c>) and reports each tile's silo.</summary>
    [Alias("GetPlacement")]
    Task<TilePlacement[]> GetPlacementAsync();

    /// <summary>The plan as text: layers, tiles, chips and the links between them.</summary>
    [Alias("DescribePlan")]
    Task<string> DescribePlanAsync();
}

/// <summary>What one silo offers the jobs (placed on the silo its key names: <c>SiloAddress.ToParsableString()</c>).</summary>
[Alias("mg.ISiloCapacityGrain")]
public interface ISiloCapacityGrain : IGrainWithStringKey
{
    /// <summary>Lanes this silo runs at once (by default twice its cores), for a job about to start:
    /// the silo's series of that job's counters exist (at zero) from this call on.</summary>
    [Alias("EnlistForJob")]
    Task<int> EnlistForJobAsync(string deployment, string job);
}

/// <summary>A generation job: splits the samples into lanes, drives and supervises them (re-driving a
/// lane whose silo died), and summarises them into the finished result.</summary>
[Alias("mg.IGenerationJobGrain")]
public interface IGenerationJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job; idempotent for the same spec, refused for a different one.</summary>
    [Alias("Start")]
    Task StartAsync(JobSpec spec);

    [Alias("GetStatus"), Orleans.Concurrency.AlwaysInterleave]
    Task<JobStatus> GetStatusAsync();

    /// <summary>The finished run: samples, energy, latency and counters, accounted by the engine.</summary>
    [Alias("GetResult")]
    Task<RunSummary> GetResultAsync();

    /// <summary>The finished run of a general graph (a U-Net): samples and what its lanes counted.</summary>
    [Alias("GetGraphResult")]
    Task<GraphRunData> GetGraphResultAsync();

    /// <summary>Deletes a finished job's state and its lanes' checkpoints from the store: called once the
    /// client has the result, and by the job itself when it is collected idle (a client that vanished).</summary>
    [Alias("Forget")]
    Task ForgetAsync();
}

/// <summary>What one silo has done for recent jobs (placed on the silo its key names, like <see cref="ISiloCapacityGrain"/>):
/// the live job page sums these over the cluster's silos.</summary>
[Alias("mg.ISiloBoardGrain")]
public interface ISiloBoardGrain : IGrainWithStringKey
{
    [Alias("GetJobs"), Orleans.Concurrency.AlwaysInterleave]
    Task<SiloJobTotals[]> GetJobsAsync();
}

/// <summary>The scoring of one model's runs on a silo, keyed by the content address of the model and its files: loads the
/// reference and the image judge once (a latent model's are seconds of encoding) and scores each run sent to it — the
/// samples' metrics and the decoded images' — so a large run's client does not.</summary>
[Alias("mg.IRunScoringGrain")]
public interface IRunScoringGrain : IGrainWithStringKey
{
    /// <summary>Starts loading what a run of this seed and size is scored against, and returns (the client calls it as its job starts).</summary>
    [Alias("Prepare"), Orleans.Concurrency.AlwaysInterleave]
    Task PrepareAsync(ScoringFiles files, ulong seed, int referenceCount);

    /// <summary>Scores one run; runs beside other runs' scoring. Within a call's default 30 s (a 40 000-sample latent run takes ~7 s on
    /// one core): a call that outlives it, or whose silo dies, leaves the run to the client's own scoring, not to a hung client.</summary>
    [Alias("Score"), Orleans.Concurrency.AlwaysInterleave]
    Task<ScoringReply> ScoreAsync(ScoringFiles files, ScoringRequest request);
}
