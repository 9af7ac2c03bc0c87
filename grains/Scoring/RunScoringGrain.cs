using MemristorGrid.Engine;
using MemristorGrid.Engine.Scoring;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Grains.Scoring;

/// <summary>A shell around the engine's <see cref="ModelScorer"/>: the model's files are written to a folder of this activation's own
/// (read by ONNX Runtime's decoder on every run; removed when the activation ends), and what the silo cannot do — its data set
/// is not installed, say — is answered as a refusal the client acts on (it scores the run itself), not an error.</summary>
public sealed class RunScoringGrain : Grain, IRunScoringGrain
{
    private Task<ModelScorer>? _scorer;
    private string? _folder;

    private Task<ModelScorer> ScorerFor(ScoringFiles files) => _scorer ??= Task.Run(() =>
    {
        var engineFiles = files.ToEngine();
        string key = this.GetPrimaryKeyString();
        if (engineFiles.ContentId() != key) throw new ArgumentException($"scoring grain {key} was sent the files of {engineFiles.ContentId()}");
        _folder = Path.Combine(Path.GetTempPath(), "memgrid-scoring", $"{key}-{Guid.NewGuid():N}");
        return new ModelScorer(engineFiles.WriteInto(_folder));
    });

    public async Task PrepareAsync(ScoringFiles files, ulong seed, int referenceCount)
    {
        try { (await ScorerFor(files)).Prepare(seed, referenceCount); }
        catch (UserInputException) { } // the run's score call says why
    }

    public async Task<ScoringReply> ScoreAsync(ScoringFiles files, ScoringRequest request)
    {
        try
        {
            var scorer = await ScorerFor(files);
            var scored = await scorer.ScoreAsync(WireFormat.Values<float>(request.Samples), request.Labels, request.Dim, request.Seed,
                request.ReferenceCount, request.Decoder, CancellationToken.None);
            return scored.ToWire();
        }
        catch (UserInputException e) { return ScoringWire.Refused(e.Message); }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try { if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true); }
        catch (IOException) { } // a file still open: the temporary folder is the system's to clear
        return Task.CompletedTask;
    }
}
