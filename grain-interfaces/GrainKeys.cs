namespace MemristorGrid.GrainInterfaces;

/// <summary>
/// Grain keys, each built and parsed here only. A tile's key names its deployment, its chip (so
/// placement keeps a chip's tiles together without asking anyone) and the tile's id in the plan:
/// <c>dep-…/chip2/L1/r0/c3</c>.
/// </summary>
public static class GrainKeys
{
    public readonly record struct TileKey(string Deployment, int Chip, string TileId);

    public static string Tile(string deployment, int chip, string tileId) => $"{deployment}/chip{chip}/{tileId}";

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

    public static bool TryParseTile(string key, out TileKey tile)
    {
        tile = default;
        int first = key.IndexOf('/', StringComparison.Ordinal);
        if (first <= 0) return false;
        int second = key.IndexOf('/', first + 1);
        if (second < 0 || second == key.Length - 1) return false;
        var chipPart = key.AsSpan(first + 1, second - first - 1);
        if (!chipPart.StartsWith("chip", StringComparison.Ordinal) || !int.TryParse(chipPart[4..], System.Globalization.NumberStyles.None, null, out int chip))
            return false;
        tile = new TileKey(key[..first], chip, key[(second + 1)..]);
        return true;
    }

    public static TileKey ParseTile(string key) => TryParseTile(key, out var tile) ? tile : throw new ArgumentException($"not a tile key: {key}");
}
