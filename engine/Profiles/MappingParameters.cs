namespace MemristorGrid.Engine.Profiles;

/// <summary>How a network's layers are cut into crossbar tiles and tiles grouped into chips.</summary>
public sealed record MappingParameters
{
    /// <summary>Rows (inputs, including a layer's bias row) one crossbar tile holds.</summary>
    public int TileRows { get; init; } = 64;

    /// <summary>Columns (outputs) one tile holds; each column is a differential pair of devices.</summary>
    public int TileCols { get; init; } = 64;
    public int TilesPerChip { get; init; } = 16;

    /// <summary>The mapping strategy by name (<see cref="Crossbars.WeightScaling.WeightScalings"/>): one weight-to-conductance
    /// scale per layer ("layer") or per output column ("column").</summary>
    public string WeightScale { get; init; } = "layer";

    /// <summary>Every tile input arrives through a DAC (a digital-interface macro) instead of only chip-boundary inputs.</summary>
    public bool DigitalTileInputs { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (TileRows < 2) yield return $"mapping.tile_rows must be ≥ 2 (got {TileRows})";
        if (TileCols < 1) yield return $"mapping.tile_cols must be ≥ 1 (got {TileCols})";
        if (TilesPerChip < 1) yield return $"mapping.tiles_per_chip must be ≥ 1 (got {TilesPerChip})";
        if (Crossbars.WeightScaling.WeightScalings.Unknown(WeightScale) is { } unknown) yield return unknown;
    }
}
