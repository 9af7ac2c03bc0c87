using System.Diagnostics;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Grains.Deployments;

namespace MemristorGrid.Grains.Telemetry;

/// <summary>
/// Counters started at zero on every silo when a job starts — its samples and energy (by deployment and
/// job), and its deployment's per-tile, per-component and per-link series — then raised as lanes finish.
/// A series that first appears at its final value (a whole job between two scrapes) shows Prometheus no
/// <c>increase()</c>; one that exists at zero from the start does.
/// </summary>
public static class JobCounters
{
    public const string TilesPart = "tiles", PeripheryPart = "periphery";

    public static void Start(IDeployment deployment, string job)
    {
        string id = deployment.Id;
        Instruments.SamplesCompleted.Add(0, Tags(id, job));
        Instruments.Energy.Add(0, Tags(id, job, TilesPart));
        Instruments.Energy.Add(0, Tags(id, job, PeripheryPart));
        foreach (var t in deployment.Tiles)
        {
            var tags = TileTags(id, t.Layer, t.Id, t.Chip);
            Instruments.TileEnergy.Add(0, tags);
            Instruments.TileAdcConversions.Add(0, tags);
        }
        foreach (var (component, _) in EnergyBreakdown.None.Periphery(0))
            Instruments.PeripheryEnergy.Add(0, ComponentTags(id, component));
        var pairs = deployment switch
        {
            Deployment mlp => mlp.Plan.ChipCrossings().Keys,
            GraphDeployment graph => graph.LinkSignals.Select(l => (l.From, l.To)),
            _ => [],
        };
        foreach (var (from, to) in pairs) Instruments.InterconnectBytes.Add(0, LinkTags(id, from, to));
    }

    /// <summary>A finished lane of a general graph: its samples, each tile's cell energy and each link's bytes (its periphery is accounted
    /// by the client).</summary>
    public static void GraphLaneFinished(IDeployment deployment, string job, int samples, ReadOnlySpan<double> tileJoules,
        IEnumerable<(int From, int To, double Bytes)> linkBytes)
    {
        double total = 0;
        for (int k = 0; k < tileJoules.Length; k++)
        {
            var t = deployment.Tiles[k];
            Instruments.TileEnergy.Add(tileJoules[k], TileTags(deployment.Id, t.Layer, t.Id, t.Chip));
            total += tileJoules[k];
        }
        Instruments.Energy.Add(total, Tags(deployment.Id, job, TilesPart));
        Instruments.SamplesCompleted.Add(samples, Tags(deployment.Id, job));
        foreach (var (from, to, bytes) in linkBytes) Instruments.InterconnectBytes.Add(bytes, LinkTags(deployment.Id, from, to));
    }

    /// <summary>A finished lane's simulated costs: per tile, per periphery component, per link, and the job's totals.</summary>
    public static void LaneFinished(AnalogRunResult lane, string deployment, string job)
    {
        foreach (var t in lane.Tiles)
        {
            var tags = TileTags(deployment, t.Layer, t.Id, t.Chip);
            Instruments.TileEnergy.Add(t.EnergyJoules, tags);
            Instruments.TileSimulatedLatency.Record(t.SimulatedLatencySeconds, tags);
            Instruments.TileAdcConversions.Add(t.AdcConversions, tags);
        }
        var periphery = lane.PeripheryEnergy();
        foreach (var (component, joules) in periphery)
            Instruments.PeripheryEnergy.Add(joules, ComponentTags(deployment, component));
        foreach (var link in lane.Links)
            Instruments.InterconnectBytes.Add(link.Bits / 8, LinkTags(deployment, link.From, link.To));
        Instruments.Energy.Add(lane.Tiles.Sum(t => t.EnergyJoules), Tags(deployment, job, TilesPart));
        Instruments.Energy.Add(periphery.Sum(p => p.Joules), Tags(deployment, job, PeripheryPart));
        Instruments.SamplesCompleted.Add(lane.SampleCount, Tags(deployment, job));
    }

    // Label values keep one type per key (an int chip here and a long there would be two series).
    private static TagList TileTags(string deployment, int layer, string tile, int chip) =>
        new() { { "deployment", deployment }, { "layer", layer }, { "tile", tile }, { "chip", chip } };

    private static TagList ComponentTags(string deployment, string component) => new() { { "deployment", deployment }, { "component", component } };

    private static TagList LinkTags(string deployment, int from, int to) => new() { { "deployment", deployment }, { "from_chip", from }, { "to_chip", to } };

    private static TagList Tags(string deployment, string job) => new() { { "deployment", deployment }, { "job_id", job } };

    private static TagList Tags(string deployment, string job, string part) => new() { { "deployment", deployment }, { "job_id", job }, { "part", part } };
}
