namespace MemristorGrid.GrainInterfaces;

/// <summary>
/// Grain keys, each built and parsed here only. A chip's key names its deployment and the chip (so
/// placement deals chips over silos without asking anyone): <c>dep-…/chip2</c>; a tile's names its chip too, so it is
/// placed by the same rule: <c>dep-…/chip2/tile5</c> (the tile's plan index).
/// </summary>
public static class GrainKeys
{
    public readonly record struct ChipKey(string Deployment, int Chip);

    public static string Chip(string deployment, int chip) => $"{deployment}/chip{chip}";

    public static bool TryParseChip(string key, out ChipKey chip)
    {
        chip = default;
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || key.IndexOf('/', slash + 1) >= 0) return false;
        var part = key.AsSpan(slash + 1);
        if (!part.StartsWith("chip", StringComparison.Ordinal) || !int.TryParse(part[4..], System.Globalization.NumberStyles.None, null, out int number))
            return false;
        chip = new ChipKey(key[..slash], number);
        return true;
    }

    public static ChipKey ParseChip(string key) => TryParseChip(key, out var chip) ? chip : throw new ArgumentException($"not a chip key: {key}");

    public readonly record struct TileKey(string Deployment, int Chip, int Tile);

    public static string Tile(string deployment, int chip, int tile) => $"{Chip(deployment, chip)}/tile{tile}";

    public static bool TryParseTile(string key, out TileKey tile)
    {
        tile = default;
        int slash = key.LastIndexOf('/');
        if (slash <= 0 || !key.AsSpan(slash + 1).StartsWith("tile", StringComparison.Ordinal)
            || !int.TryParse(key.AsSpan(slash + 5), System.Globalization.NumberStyles.None, null, out int number)
            || !TryParseChip(key[..slash], out var chip))
            return false;
        tile = new TileKey(chip.Deployment, chip.Chip, number);
        return true;
    }

    public static TileKey ParseTile(string key) => TryParseTile(key, out var tile) ? tile : throw new ArgumentException($"not a tile key: {key}");

    /// <summary>The chip a chip's or a tile's key names.</summary>
    public static bool TryParseChipOf(string key, out int chip)
    {
        if (TryParseChip(key, out var c)) { chip = c.Chip; return true; }
        if (TryParseTile(key, out var t)) { chip = t.Chip; return true; }
        chip = 0;
        return false;
    }

    public static string Labels(string deployment) => $"{deployment}/labels";

    public static string Lane(string job, int lane) => $"{job}/lane-{lane}";

    /// <summary>The lane number in a lane key (−1 when the key names none).</summary>
    public static int LaneOf(string key)
    {
        int at = key.LastIndexOf("/lane-", StringComparison.Ordinal);
        return at > 0 && int.TryParse(key.AsSpan(at + 6), System.Globalization.NumberStyles.None, null, out int lane) ? lane : -1;
    }

    /// <summary>The job a lane key belongs to.</summary>
    public static string JobOfLane(string key)
    {
        int at = key.LastIndexOf("/lane-", StringComparison.Ordinal);
        return at > 0 ? key[..at] : throw new ArgumentException($"not a lane key: {key}");
    }

    /// <summary>The deployment a label-encoder key belongs to.</summary>
    public static string DeploymentOfLabels(string key) =>
        key.EndsWith("/labels", StringComparison.Ordinal) ? key[..^"/labels".Length] : throw new ArgumentException($"not a label-encoder key: {key}");

}
