using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Engine.Scoring;

/// <summary>A run scored elsewhere, as the client's pipeline holds it.</summary>
public static class ScoredRuns
{
    /// <summary>The scores of <paramref name="request"/>'s run as the client's outputs read them: the reference under the client's own
    /// name for it, and the shown images with the VAE (read here, for their size and class names) that draws them.</summary>
    public static RemoteScores ForClient(this ScoredRun scored, RunRequest request)
    {
        var reference = scored.Reference is { } data && request.Reference is { } mine ? new ReferenceSet(data, mine.Name) : null;
        DecodedImages? images = null;
        if (scored.Images is { } quality)
        {
            var metadata = request.Network.Metadata;
            string vaePath = ImageDecoding.VaePathOf(metadata) ?? ImageDecoding.PixelJudgePathOf(metadata)
                ?? throw new InvalidDataException("scores of decoded images for a model without a VAE");
            images = new DecodedImages(scored.ShownPixels, VaeModel.Load(vaePath), quality, scored.Decoder ?? "", null) { PixelLabels = scored.ShownLabels };
        }
        return new RemoteScores(scored.Quality, images, reference);
    }
}
