namespace MemristorGrid.GrainInterfaces;

/// <summary>A file beside the model that scoring reads (its VAE, image judge or CSV task), named relative to the model's folder.</summary>
[GenerateSerializer, Immutable, Alias("mg.ScoringFile")]
public sealed record ScoringFile([property: Id(0)] string Name, [property: Id(1)] byte[] Bytes);

/// <summary>A model and the files its metadata names: all a silo needs to score the model's runs as the client would.</summary>
[GenerateSerializer, Immutable, Alias("mg.ScoringFiles")]
public sealed record ScoringFiles([property: Id(0)] string ModelName, [property: Id(1)] byte[] ModelBytes, [property: Id(2)] ScoringFile[] Files);

/// <summary>One run's samples to score (float32 [count × dim]), the reference's seed and size, and the image decoder.</summary>
[GenerateSerializer, Immutable, Alias("mg.ScoringRequest")]
public sealed record ScoringRequest(
    [property: Id(0)] byte[] Samples,
    [property: Id(1)] int[] Labels,
    [property: Id(2)] int Dim,
    [property: Id(3)] ulong Seed,
    [property: Id(4)] int ReferenceCount,
    [property: Id(5)] string Decoder);

/// <summary>A run's scores (JSON of the engine's records), the reference they were judged against (float32 points, labels and
/// class names; <see cref="ReferenceDim"/> 0 when there is none) and the decoded images images.png shows; or why the silo cannot score it (<see cref="Refusal"/>: it lacks the
/// model's data set, say), in which case the client scores it.</summary>
[GenerateSerializer, Immutable, Alias("mg.ScoringReply")]
public sealed record ScoringReply(
    [property: Id(0)] string? Refusal,
    [property: Id(1)] byte[] Scores,
    [property: Id(2)] int ReferenceDim,
    [property: Id(3)] byte[] ReferencePoints,
    [property: Id(4)] int[]? ReferenceLabels,
    [property: Id(5)] string[] ReferenceClassNames,
    [property: Id(6)] byte[] ShownPixels,
    [property: Id(7)] int[] ShownLabels);
