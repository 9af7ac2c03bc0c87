using System.Collections.Concurrent;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Engine.Scoring;

/// <summary>What scoring a run found: the samples' metrics, the decoded images' (with the images images.png shows) and the
/// reference they were judged against. Paths do not travel: the caller keeps its own names for its files.</summary>
public sealed record ScoredRun(QualityReport? Quality, Dataset? Reference, ImageQualityReport? Images, string? Decoder, float[] ShownPixels, int[] ShownLabels);

/// <summary>
/// Scores one model's runs where its files are (a silo, given <see cref="RunFiles"/>): the reference and the image judge load
/// once — the slow part of a latent model's scoring (encoding 60 000 training images, the judge's 10 000 held-out ones) — and
/// serve every run scored after. The arithmetic is the client's own (<see cref="QualityReport.Compute"/>,
/// <see cref="ImageDecoding.DecodeAndScore"/>), so the figures are the ones the client would have found.
/// </summary>
public sealed class ModelScorer
{
    private readonly DiffusionMetadata _metadata;
    private readonly ConcurrentDictionary<(ulong Seed, int Count), Lazy<Task<Dataset?>>> _references = new();
    private readonly Lazy<Task<ImageJudge?>> _judge;
    private Task? _firstReference;

    /// <summary>At most this many references (seed, count) are kept: a synthetic task's reference depends on both.</summary>
    private const int KeptReferences = 4;

    /// <param name="modelPath">The model, with the files its metadata names beside it (<see cref="RunFiles.WriteInto"/>).</param>
    public ModelScorer(string modelPath)
    {
        _metadata = Onnx.OnnxImporter.Load(modelPath).Metadata;
        // The judge loads after the first reference: one large set of images in memory at a time.
        _judge = new(() => Task.Run(async () =>
        {
            await Task.WhenAny(_firstReference ?? Task.CompletedTask); // waits without throwing: a failed reference is reported where it is read
            return ImageDecoding.JudgeOf(_metadata);
        }));
    }

    /// <summary>Starts loading what scoring a run of this seed and size needs; returns at once.</summary>
    public void Prepare(ulong seed, int referenceCount)
    {
        _ = ReferenceAsync(seed, referenceCount);
        _ = _judge.Value;
    }

    private Task<Dataset?> ReferenceAsync(ulong seed, int count)
    {
        if (_references.Count >= KeptReferences && !_references.ContainsKey((seed, count))) _references.Clear();
        var reference = _references.GetOrAdd((seed, count), key => new Lazy<Task<Dataset?>>(() => Task.Run(() =>
            ReferenceResolver.Prepare(null, _metadata, key.Seed, key.Count, _ => { }) is { } found ? found.Load() : null))).Value;
        Interlocked.CompareExchange(ref _firstReference, reference, null);
        return reference;
    }

    /// <summary>Scores a run's samples [count × dim] as the client's pipeline would (<paramref name="decoder"/>: onnxruntime or engine).</summary>
    public async Task<ScoredRun> ScoreAsync(float[] samples, int[] labels, int dim, ulong seed, int referenceCount, string decoder, CancellationToken cancel)
    {
        var reference = await ReferenceAsync(seed, referenceCount);
        var judge = await _judge.Value;
        cancel.ThrowIfCancellationRequested();
        var quality = Task.Run(() => reference is null ? null : QualityReport.Compute(samples, labels, dim, reference), cancel);
        var images = await Task.Run(() => ImageDecoding.DecodeAndScore(judge, samples, labels, reference, new ImageDecoder(decoder)), cancel);
        var (shown, shownLabels) = images is null ? ([], []) : ImageDecoding.Shown(images.Pixels, images.Vae.PixelCount, labels);
        return new ScoredRun(await quality, reference, images?.Quality, images?.Decoder, shown, shownLabels);
    }
}
