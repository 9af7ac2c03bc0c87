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

    /// <summary>Device pairs per weight (null = 1): each weight is programmed on this many pairs whose rows take the same input, so
    /// their currents add and the TIA's gain is divided by as many; with levels, the replicas' levels are staggered so that their
    /// mean resolves 1/N of a level. Random device errors average down by √N; the cost is N× the rows (tiles, area) and the
    /// cells' current. Null leaves the key out of the profile's JSON, so profiles that do not use it keep their hashes.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Redundancy { get; init; }

    /// <summary>Per-column gain and offset calibration after programming from this many calibration reads per tile
    /// (<see cref="Crossbars.ColumnCalibration"/>); null = none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? CalibrationReads { get; init; }

    /// <summary>Device pairs per weight (1 without redundancy).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Replicas => Redundancy ?? 1;

    /// <summary>Weights (logical rows) one tile holds: its physical rows shared among the replicas.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int RowsPerTile => TileRows / Replicas;

    /// <summary>Every tile input arrives through a DAC (a digital-interface macro) instead of only chip-boundary inputs.</summary>
    public bool DigitalTileInputs { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (TileRows < 2) yield return $"mapping.tile_rows must be ≥ 2 (got {TileRows})";
        if (TileCols < 1) yield return $"mapping.tile_cols must be ≥ 1 (got {TileCols})";
        if (Redundancy is { } n && (n < 1 || n > TileRows / 2)) yield return $"mapping.redundancy must be 1 … tile_rows / 2 = {TileRows / 2} (got {n})";
        if (CalibrationReads is < 1 or > 100_000) yield return $"mapping.calibration_reads must be 1 … 100000, or null for none (got {CalibrationReads})";
        if (TilesPerChip < 1) yield return $"mapping.tiles_per_chip must be ≥ 1 (got {TilesPerChip})";
        if (Crossbars.WeightScaling.WeightScalings.Unknown(WeightScale) is { } unknown) yield return unknown;
    }
}
