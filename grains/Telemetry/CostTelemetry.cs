using System.Diagnostics;
using MemristorGrid.Engine.Accounting;

namespace MemristorGrid.Grains.Telemetry;

/// <summary>A finished lane's simulated costs as metrics: per tile, per periphery component, per link.</summary>
public static class CostTelemetry
{
    public static void Record(AnalogRunResult lane, string deploymentId)
    {
        foreach (var t in lane.Tiles)
        {
            var tags = new TagList { { "deployment", deploymentId }, { "layer", t.Layer }, { "tile", t.Id }, { "chip", t.Chip } };
            Instruments.TileEnergy.Record(t.EnergyJoules, tags);
            Instruments.TileSimulatedLatency.Record(t.SimulatedLatencySeconds, tags);
            Instruments.TileAdcConversions.Add(t.AdcConversions, tags);
        }
        foreach (var (component, joules) in lane.PeripheryEnergy())
            Instruments.PeripheryEnergy.Record(joules, new TagList { { "deployment", deploymentId }, { "component", component } });
        foreach (var link in lane.Links)
            Instruments.InterconnectBytes.Add(link.Bits / 8, new TagList { { "deployment", deploymentId }, { "from_chip", link.From }, { "to_chip", link.To } });
        Instruments.SamplesCompleted.Add(lane.SampleCount, new KeyValuePair<string, object?>("deployment", deploymentId));
    }
}
