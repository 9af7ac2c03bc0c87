using System.Globalization;
using MemristorGrid.Engine.Graphs;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Client.Output;

/// <summary>
/// <c>memgrid inspect</c> on a general score network (a U-Net): its inputs, the partition between the
/// controller, crossbar tiles, analog periphery, the digital unit and wiring, each weighted layer's
/// matrix, and with a profile the tiles and chips it needs.
/// </summary>
internal static class GraphInspect
{
    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static string Count(double v) => v >= 1e6 ? $"{F(v / 1e6)} M" : v >= 1e3 ? $"{F(v / 1e3)} k" : F(v);

    public static void Write(TextWriter o, string path, ScoreGraph graph, DiffusionMetadata m, string? missingSchedule, HardwareProfile? profile)
    {
        var x = graph.Values[graph.XValue];
        o.WriteLine($"model       {path}");
        o.WriteLine($"input       x [N, {string.Join(", ", x.Shape)}]{(x.Shape.Length > 1 ? $" ({x.Size} values per sample)" : "")}, t [N]{(graph.HasLabel ? ", label [N] int64" : "")}  →  score [N, {graph.OutputSize}]");
        var weighted = graph.Nodes.OfType<WeightedNode>().ToList();
        long weights = weighted.Sum(n => (long)n.Weights.Length + n.Bias.Length);
        o.WriteLine($"network     general graph: {graph.Nodes.Count} nodes ({string.Join(", ", graph.Nodes.GroupBy(n => n.OpType).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))}); {Count(weights)} weights and biases");
        if (graph.IsConditional)
            o.WriteLine($"labels      {graph.ClassCount} classes [{string.Join(", ", graph.ClassNames)}] + null label {graph.NullLabel} (a one-hot of no class, or the table's last row)");
        o.WriteLine("partition   (docs/bring-your-own-model.md: what depends only on t and the label is the controller's; products with weights go to tiles; normalisation, softmax and products of two signals to a digital unit)");
        var partition = graph.Partition();
        o.WriteLine("  unit        nodes   operations per sample × evaluation");
        foreach (var (unit, (nodes, ops)) in partition)
        {
            string what = unit switch
            {
                GraphUnit.Tiles => "multiply-accumulates on crossbar tiles",
                GraphUnit.Digital => "digital operations (ADC before, DAC after)",
                GraphUnit.Controller => "operations per controller update (held on DACs)",
                GraphUnit.Periphery => "analog elementwise operations (activations, sums, gains)",
                _ => "wires, no computation",
            };
            o.WriteLine($"  {unit.ToString().ToLowerInvariant(),-11} {nodes,5}   {(unit == GraphUnit.Wiring ? "" : $"{Count(ops)} {what}")}{(unit == GraphUnit.Wiring ? what : "")}");
        }
        o.WriteLine($"  digital nodes: {string.Join(", ", graph.Nodes.Where(n => n.Unit == GraphUnit.Digital).GroupBy(n => n.OpType).Select(g => $"{g.Count()} {g.Key}"))}");
        o.WriteLine("layers      (the crossbar matrix of each product with weights: inputs × outputs, input vectors per sample)");
        int rows = profile?.Mapping.TileRows ?? 64, cols = profile?.Mapping.TileCols ?? 64;
        foreach (var n in weighted.Where(n => n.Unit == GraphUnit.Tiles))
            o.WriteLine($"  {n.Name,-28} {n.OpType,-6} {n.MatrixInputs,5} × {n.MatrixOutputs,-4} × {n.VectorsPerSample,3} vectors  {graph.TilesFor(n, rows, cols),3} tiles of {rows} × {cols}");
        foreach (var n in weighted.Where(n => n.Unit == GraphUnit.Controller))
            o.WriteLine($"  {n.Name,-28} {n.OpType,-6} {n.MatrixInputs,5} × {n.MatrixOutputs,-4} on the controller (depends only on t/label)");
        if (missingSchedule is not null) o.WriteLine($"sde         {missingSchedule}");
        else o.WriteLine(m.SdeKind == "vp"
            ? $"sde         VP [{m.Origin("sde")}], β_min {F(m.BetaMin)} [{m.Origin("beta_min")}], β_max {F(m.BetaMax)} [{m.Origin("beta_max")}]; sampling schedule scale {F(m.SamplingScheduleScale)} [{m.Origin("schedule_scale")}]"
            : $"sde         VE [{m.Origin("sde")}], σ_min {F(m.SigmaMin)} [{m.Origin("sigma_min")}], σ_max {F(m.SigmaMax)} [{m.Origin("sigma_max")}]; sampling schedule scale {F(m.SamplingScheduleScale)} [{m.Origin("schedule_scale")}]");
        o.WriteLine($"task        {(m.Task.Length > 0 ? m.Task : "(not recorded)")}");
        foreach (var (key, value) in m.Provenance.OrderBy(p => p.Key, StringComparer.Ordinal))
            o.WriteLine($"  {key,-24} {value}");
        if (profile is null) return;
        int tiles = weighted.Where(n => n.Unit == GraphUnit.Tiles).Sum(n => graph.TilesFor(n, rows, cols));
        int chips = (tiles + profile.Mapping.TilesPerChip - 1) / profile.Mapping.TilesPerChip;
        o.WriteLine();
        o.WriteLine($"profile     {profile.Name}: {tiles} tiles of {rows} × {cols} on {chips} chips of {profile.Mapping.TilesPerChip} tiles (layers packed in order)");
        o.WriteLine("            running a general graph on the analog machine is not implemented yet: `baseline` runs it digitally; `run` refuses it");
    }
}
