using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Metrics;

namespace MemristorGrid.Engine.Runs;

/// <summary>Shows long work to whoever drives the engine: a terminal's progress bar, a log, or nothing.</summary>
public interface IWorkProgress
{
    /// <summary>Runs <paramref name="work"/>, which reports 0..1; <paramref name="total"/> <paramref name="unit"/> is its size (for a rate).</summary>
    Task<T> RunAsync<T>(string title, double total, string unit, Func<IProgress<double>, Task<T>> work);
}

/// <summary>Progress nobody watches.</summary>
public sealed class NoProgress : IWorkProgress
{
    public static readonly NoProgress Instance = new();
    public Task<T> RunAsync<T>(string title, double total, string unit, Func<IProgress<double>, Task<T>> work) => work(new Progress<double>());
}

/// <summary>A finished run: what was asked, what the machine returned, its scores and its report — built when first
/// read (programming statistics, roll-ups and hashes), so a sweep cell, which keeps only its metrics, does not pay for it.</summary>
public sealed class RunOutcome(RunRequest request, AnalogRunResult result, QualityReport? quality, DecodedImages? images, Func<RunReport> report)
{
    private readonly Lazy<RunReport> _report = new(report);

    public RunRequest Request => request;
    public AnalogRunResult Result => result;
    public QualityReport? Quality => quality;
    public DecodedImages? Images => images;
    public RunReport Report => _report.Value;
}

/// <summary>A machine that can score a run where it made it (the grain cluster, on a silo): the reference and image judge load
/// there while the job runs, and the samples are decoded and judged with the silo's cores, not the client's.</summary>
public interface IScoringMachine
{
    /// <summary>Starts preparing to score <paramref name="request"/>'s run; null when this machine does not score it (then the caller does).</summary>
    Task<IRemoteScoring?> BeginScoringAsync(RunRequest request, CancellationToken cancel);
}

/// <summary>One run's scoring on the machine.</summary>
public interface IRemoteScoring
{
    /// <summary>The run's scores, or null when the machine declined (it lacks the data, say): the caller scores it itself.</summary>
    Task<RemoteScores?> ScoreAsync(AnalogRunResult result, CancellationToken cancel);
}

/// <summary>A run's scores from the machine, with the reference they were judged against (the scatter plot and report show it).</summary>
public sealed record RemoteScores(Metrics.QualityReport? Quality, DecodedImages? Images, ReferenceSet? Reference);

/// <summary>
/// The one path of an analog run, used by <c>run</c>, <c>compare</c>, sweep cells and <c>reproduce</c>:
/// run the job on the machine → score the samples against the reference → decode a latent model's samples
/// into images and judge them → build the typed report. Writing files is the caller's.
/// </summary>
public sealed class RunPipeline(IAnalogMachine machine, IWorkProgress? progress = null)
{
    private readonly IWorkProgress _progress = progress ?? NoProgress.Instance;

    /// <summary>Each VAE's judge (its real held-out images' features), loaded once however many runs decode through it.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Latent.ImageJudge?>> _judges = new();

    public IAnalogMachine Machine => machine;

    /// <summary>Samples from which a run hands its memory back between the job and scoring (a full, decommitting collection
    /// costs tens of milliseconds).</summary>
    private const int LargeRun = 100_000;

    /// <summary>Runs the request under a progress display of its own.</summary>
    public Task<RunOutcome> RunAsync(RunRequest request, CancellationToken cancel = default)
    {
        string title = $"analog {request.Options.Kind.ToString().ToLowerInvariant()} on {request.Profile.Name}{(machine is ReferenceMachine ? "" : " (grain cluster)")}";
        return _progress.RunAsync(title, request.Count, "samples", p => RunAsync(request, p, cancel));
    }

    /// <summary>Whether a run is scored on a machine that can (<see cref="IScoringMachine"/>: the cluster's silos) instead of here.
    /// <c>run</c> sets it: a large latent run's scoring is most of its client's CPU.</summary>
    public bool ScoresOnMachine { get; init; }

    /// <summary>Runs the request, reporting the machine's progress (0..1) to <paramref name="progress"/> (a sweep's cell).</summary>
    public async Task<RunOutcome> RunAsync(RunRequest request, IProgress<double>? progress, CancellationToken cancel)
    {
        var sections = RequestSections.Start(request); // ready by the job's end, not computed after it
        if (ScoresOnMachine && machine is IScoringMachine scorer && await scorer.BeginScoringAsync(request, cancel) is { } remote)
        {
            var ran = await machine.RunAsync(request.Job(), progress, cancel);
            if (await remote.ScoreAsync(ran, cancel) is { } scored)
                return Outcome(request with { Reference = scored.Reference }, ran, scored.Quality, scored.Images, RunReportBuilder.ScoredOnCluster, sections);
            return await ScoreHereAsync(request, ran, LoadJudge(request, cancel), sections, cancel); // the machine declined (its notice said why)
        }
        var judge = LoadJudge(request, cancel);
        var result = await machine.RunAsync(request.Job(), progress, cancel);
        return await ScoreHereAsync(request, result, judge, sections, cancel);
    }

    /// <summary>The image judge (the real held-out images' features) does not need the samples: it loads while the job runs, after the
    /// reference (one large set of images in memory at a time).</summary>
    private Task<Latent.ImageJudge?> LoadJudge(RunRequest request, CancellationToken cancel) => Task.Run(async () =>
    {
        if (request.Reference is { } reference) await Task.WhenAny(reference.Loaded); // waits without throwing: its failure is reported where it is read
        return JudgeFor(request.Network.Metadata);
    }, cancel);

    private RunOutcome Outcome(RunRequest request, AnalogRunResult result, Metrics.QualityReport? quality, DecodedImages? images, string scoredOn,
        RequestSections sections) =>
        new(request, result, quality, images, () => RunReportBuilder.Build(request, machine, result, quality, images, scoredOn, sections));

    /// <summary>Scores a finished run in this process.</summary>
    private async Task<RunOutcome> ScoreHereAsync(RunRequest request, AnalogRunResult result, Task<Latent.ImageJudge?> judge, RequestSections sections,
        CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        // What the job left behind (its lanes' buffers, the result's copies) is garbage now; the server GC would keep it
        // committed beside what scoring and the plots allocate next, which is where a large run peaked.
        if (request.Count >= LargeRun) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        // The two scorings are independent: the samples' metrics beside the decoded images' (on a large latent run each takes
        // seconds after the job).
        var scoring = Task.Run(() => request.Reference?.Score(result.Samples, result.Labels, result.Dim), cancel);
        var images = ImageDecoding.DecodeAndScore(await judge, result.Samples, result.Labels, request.Reference?.Data,
            new ImageDecoder(request.Decoder, request.Profile, request.Options.ProgramSeed, request.Options.Seed));
        var quality = await scoring;
        return Outcome(request, result, quality, images, RunReportBuilder.ScoredInClient, sections);
    }

    /// <summary>The judge of a latent model's images (null for other models), loaded once per VAE for every run of this
    /// pipeline and for what its caller decodes beside them (a comparison's digital side).</summary>
    public Latent.ImageJudge? JudgeFor(Networks.DiffusionMetadata metadata) => (ImageDecoding.VaePathOf(metadata) ?? ImageDecoding.PixelJudgePathOf(metadata)) is { } vae
        ? _judges.GetOrAdd(vae, _ => new Lazy<Latent.ImageJudge?>(() => ImageDecoding.JudgeOf(metadata))).Value : null;
}
