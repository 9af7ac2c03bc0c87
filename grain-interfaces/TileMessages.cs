namespace MemristorGrid.GrainInterfaces;

/// <summary>A lane's batch for one crossbar tile: its row inputs (float32 [count × the tile's rows], gathered by the chip's
/// periphery), what keys the read noise (seed, first sample, segment, pass, and the samples' global indices, int64 [count],
/// when they are not consecutive) and whether the call is traced. The answer is a <see cref="ChipResponse"/> of one tile.</summary>
[GenerateSerializer, Immutable, Alias("mg.TileRequest")]
public sealed record TileRequest(
    [property: Id(0)] ReadOnlyMemory<byte> Inputs,
    [property: Id(1)] int Count,
    [property: Id(2)] ulong Seed,
    [property: Id(3)] long FirstSample,
    [property: Id(4)] long Segment,
    [property: Id(5)] int Pass,
    [property: Id(6)] bool Traced,
    [property: Id(7)] ReadOnlyMemory<byte> Samples);

/// <summary>Where a tile grain is served and the MVMs (sample vectors) its activation has read.</summary>
[GenerateSerializer, Immutable, Alias("mg.TileActivity")]
public sealed record TileActivity(
    [property: Id(0)] TilePlacement Placement,
    [property: Id(1)] long Mvms);
