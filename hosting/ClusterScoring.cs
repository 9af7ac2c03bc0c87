using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Scoring;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Hosting;

/// <summary>
/// One run scored on the cluster: as the job starts, the model and its files go to the model's scoring grain, which loads the
/// reference and image judge on its silo while the lanes run; when the job is done the samples follow, and the scores, the
/// reference and the shown images come back. A silo that cannot score the run (its data set is missing) says why, and the
/// client scores it itself.
/// </summary>
internal sealed class ClusterScoring : IRemoteScoring
{
    private readonly RunRequest _request;
    private readonly ScoringFiles _files;
    private readonly IRunScoringGrain _scorer;
    private readonly Task _prepared;
    private readonly Action<string> _notice;

    private ClusterScoring(IGrainFactory grains, RunRequest request, RunFiles files, Action<string> notice)
    {
        _request = request;
        _files = files.ToWire();
        _notice = notice;
        _scorer = grains.GetGrain<IRunScoringGrain>(files.ContentId());
        _prepared = _scorer.PrepareAsync(_files, request.Options.Seed, RunRequest.ReferenceCountFor(request.Count));
    }

    /// <summary>Whether the cluster can score <paramref name="request"/>'s run: the reference is the model's own task (the user's
    /// <c>--reference-data</c> names a file of the client's), the decoder digital (the analog one is a machine of the client's
    /// profile), and there is something to score.</summary>
    public static bool Scores(RunRequest request) =>
        request.ReferenceOption is null && request.Decoder != DecoderKinds.Analog
        && (request.Reference is not null || ImageDecoding.VaePathOf(request.Network.Metadata) is not null || ImageDecoding.PixelJudgePathOf(request.Network.Metadata) is not null);

    public static ClusterScoring Begin(IGrainFactory grains, RunRequest request, Action<string> notice) =>
        new(grains, request, RunFiles.Of(request.ModelPath, request.ModelBytes, request.Network.Metadata), notice);

    public async Task<RemoteScores?> ScoreAsync(AnalogRunResult result, CancellationToken cancel)
    {
        ScoringReply reply;
        try
        {
            // A preparation that failed (its silo lost) is only lost time: the score call activates the grain again. The files go
            // with this call too (4.7 MB for fashion, once more on the network): the activation prepared may have been collected or
            // lost with its silo by now, and a new one needs them.
            await Task.WhenAny(_prepared).WaitAsync(cancel);
            reply = await _scorer.ScoreAsync(_files, new ScoringRequest(WireFormat.Bytes<float>(result.Samples), result.Labels, result.Dim,
                _request.Options.Seed, RunRequest.ReferenceCountFor(_request.Count), _request.Decoder)).WaitAsync(cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The samples are here and good: a failure of the cluster's scoring must not lose the run.
            _notice($"note: scoring in the client: the cluster's scoring failed ({Diagnostics.Messages(e).Split('\n')[0]})");
            return null;
        }
        if (reply.Refusal is { } why)
        {
            _notice($"note: scoring in the client: the cluster cannot score this run ({why})");
            return null;
        }
        return reply.ToEngine().ForClient(_request);
    }
}
