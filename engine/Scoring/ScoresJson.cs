using System.Text.Json;
using System.Text.Json.Serialization;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Metrics;

namespace MemristorGrid.Engine.Scoring;

/// <summary>The scores of a run as they travel between machines: JSON of the engine's own records, every double to its last bit
/// (the shortest round-trip form) and NaN kept (a class with no reference points has no kl_paper).</summary>
public static class ScoresJson
{
    private sealed record Scores(QualityReport? Quality, ImageQualityReport? Images, string? Decoder);

    private static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static byte[] Write(QualityReport? quality, ImageQualityReport? images, string? decoder) =>
        JsonSerializer.SerializeToUtf8Bytes(new Scores(quality, images, decoder), Options);

    public static (QualityReport? Quality, ImageQualityReport? Images, string? Decoder) Read(byte[] json)
    {
        var scores = JsonSerializer.Deserialize<Scores>(json, Options) ?? throw new InvalidDataException("empty scores");
        return (scores.Quality, scores.Images, scores.Decoder);
    }
}
