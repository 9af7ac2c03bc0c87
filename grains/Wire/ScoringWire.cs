using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Scoring;
using MemristorGrid.GrainInterfaces;

namespace MemristorGrid.Grains.Wire;

/// <summary>A run's scoring between client and silo: the engine's <see cref="RunFiles"/> and <see cref="ScoredRun"/> as messages.</summary>
public static class ScoringWire
{
    public static ScoringFiles ToWire(this RunFiles files) =>
        new(files.ModelName, files.ModelBytes, files.Files.Select(f => new ScoringFile(f.Name, f.Bytes)).ToArray());

    public static RunFiles ToEngine(this ScoringFiles files) =>
        new(files.ModelName, files.ModelBytes, files.Files.Select(f => new RunFile(f.Name, f.Bytes)).ToArray());

    public static ScoringReply ToWire(this ScoredRun scored) => new(
        Refusal: null,
        Scores: ScoresJson.Write(scored.Quality, scored.Images, scored.Decoder),
        ReferenceDim: scored.Reference?.Dim ?? 0,
        ReferencePoints: scored.Reference is { } r ? WireFormat.Bytes<float>(r.X) : [],
        ReferenceLabels: scored.Reference?.Labels,
        ReferenceClassNames: scored.Reference?.ClassNames.ToArray() ?? [],
        ShownPixels: WireFormat.Bytes<float>(scored.ShownPixels),
        ShownLabels: scored.ShownLabels);

    public static ScoringReply Refused(string why) => new(why, [], 0, [], null, [], [], []);

    public static ScoredRun ToEngine(this ScoringReply reply)
    {
        var (quality, images, decoder) = ScoresJson.Read(reply.Scores);
        var reference = reply.ReferenceDim > 0
            ? new Dataset(reply.ReferenceDim, WireFormat.Values<float>(reply.ReferencePoints), reply.ReferenceLabels, reply.ReferenceClassNames)
            : null;
        return new ScoredRun(quality, reference, images, decoder, WireFormat.Values<float>(reply.ShownPixels), reply.ShownLabels);
    }
}
