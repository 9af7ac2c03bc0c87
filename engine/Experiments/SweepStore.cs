using System.Text.Json;
using MemristorGrid.Engine.IO;

namespace MemristorGrid.Engine.Experiments;

/// <summary>
/// A sweep's finished cells, one file per cell under <c>OUT/cells/</c>, named by the cell's content id
/// and written atomically the moment the cell finishes. Running the same sweep again (or one that
/// shares cells with it) keeps these and computes only the rest.
/// </summary>
public sealed class SweepStore(string outDir)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
    private readonly string _dir = Path.Combine(outDir, "cells");

    private sealed record StoredCell(string Id, string Model, string ModelSha256, Dictionary<string, string> Settings, int Chip, CellMetrics Metrics);

    private string PathOf(SweepCell cell) => Path.Combine(_dir, $"{cell.Id}.json");

    /// <summary>The cell's metrics if an earlier run finished it; a file that does not hold this cell is ignored.</summary>
    public CellMetrics? TryLoad(SweepCell cell)
    {
        string path = PathOf(cell);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<StoredCell>(File.ReadAllText(path), Json) is { } stored && stored.Id == cell.Id ? stored.Metrics : null; }
        catch (JsonException) { return null; }
    }

    public void Save(SweepCell cell, IReadOnlyList<SweepAxis> axes, CellMetrics metrics)
    {
        var settings = axes.Select((a, i) => (a.Name, cell.Settings[i])).ToDictionary(p => p.Name, p => p.Item2);
        AtomicFile.WriteAllText(PathOf(cell), JsonSerializer.Serialize(new StoredCell(cell.Id, cell.Model.Name, cell.Model.Sha256, settings, cell.Chip, metrics), Json) + "\n");
    }
}
