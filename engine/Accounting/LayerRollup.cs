using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Accounting;

/// <summary>
/// One layer of a run, as NeuroSim and aihwkit users read a deployment: its tiles and chips, how many of
/// its tiles' devices the weights use (a device pair per weight and bias), its MVMs, its crossbar ops
/// (a multiply and an add per cell per MVM) and its tiles' energy.
/// </summary>
public sealed record LayerRollup(int Layer, int Tiles, int Chips, long UsedDevices, long TileDevices, long Mvms, double Ops, double TileJoules)
{
    public double Utilisation => TileDevices > 0 ? (double)UsedDevices / TileDevices : 0;
    public double OpsPerJoule => TileJoules > 0 ? Ops / TileJoules : 0;

    public static IReadOnlyList<LayerRollup> Of(ScoreNetwork network, MappingParameters mapping, AnalogRunResult result)
    {
        var plan = DeploymentPlan.Create(network, mapping);
        var byId = result.Tiles.ToDictionary(t => t.Id);
        long tileCells = (long)mapping.TileRows * mapping.TileCols;
        return plan.Tiles.GroupBy(t => t.Layer).OrderBy(g => g.Key).Select(g => new LayerRollup(
            g.Key, g.Count(), g.Select(t => t.Chip).Distinct().Count(),
            2L * mapping.Replicas * g.Sum(t => (long)t.RowCount * t.ColCount), 2L * g.Count() * tileCells,
            g.Sum(t => byId[t.Id].MvmCount),
            g.Sum(t => 2.0 * t.RowCount * t.ColCount * byId[t.Id].MvmCount),
            g.Sum(t => byId[t.Id].EnergyJoules))).ToList();
    }
}
