using System.Diagnostics.Metrics;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Graphs.Analog;
using MemristorGrid.Engine.Graphs.Import;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Telemetry;

namespace MemristorGrid.Cluster.Tests;

/// <summary>A general graph's links on the silos' counters are the report's: the bytes a finished lane adds per chip pair, × 8 ×
/// the energy per bit, are the report's link energy for those samples.</summary>
public sealed class GraphTelemetryTests
{
    [Fact]
    public void A_graph_lanes_link_bytes_are_the_reports_link_energy()
    {
        byte[] bytes = File.ReadAllBytes(Repo.ModelPath("unet-digits.onnx"));
        var graph = GraphImporter.FromBytes(bytes, "unet-digits.onnx");
        // A given RC (no gain probe needed): the links do not depend on how the loop was timed, only the traversals do.
        var profile = Repo.Profile("rram-180nm");
        profile = profile with { Integrator = profile.Integrator with { TimeConstantSeconds = 0.5 } };
        var options = new AnalogRunOptions { Kind = SamplerKind.Sde, ScheduleScale = graph.Metadata.SamplingScheduleScale };
        var ranges = SignalRanges.Probe(graph, options.ScheduleScale, options.StartTime, options.EndTime);
        var deployment = GraphDeployment.From(new DeploymentSpec(bytes, "unet-digits.onnx", profile.ToJson(), 1, GraphDeployment.StagingBytes(ranges)));
        Assert.True(deployment.LinkSignals.Count >= 8, $"{deployment.LinkSignals.Count} chip pairs");

        var timing = RunTiming.Of(deployment.Profile, options);
        const int samples = 3;
        double traversals = timing.GenerationSeconds / deployment.LoopDelaySeconds * samples;
        var lane = deployment.LinkSignals.Select(l => (l.From, l.To, l.Signals * deployment.Profile.Adc.BitsPerConversion / 8.0 * traversals)).ToList();

        var seen = new Dictionary<(int, int), double>();
        using var listener = new MeterListener();
        // By name: the callback may run inside Instruments' type initialiser, before its field is assigned.
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name == "memristorgrid.interconnect.bytes") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            int from = -1, to = -1;
            bool ours = false;
            foreach (var tag in tags)
            {
                if (tag.Key == "from_chip") from = (int)tag.Value!;
                if (tag.Key == "to_chip") to = (int)tag.Value!;
                if (tag.Key == "deployment" && (string?)tag.Value == deployment.Id) ours = true;
            }
            if (ours) seen[(from, to)] = seen.GetValueOrDefault((from, to)) + value;
        });
        listener.Start();
        JobCounters.Start(deployment, "job-links");
        JobCounters.GraphLaneFinished(deployment, "job-links", samples, new double[deployment.Tiles.Count], lane);

        Assert.Equal(deployment.LinkSignals.Select(l => (l.From, l.To)).Order(), seen.Keys.Order());
        var design = new GraphLoopDesign
        {
            LoopDelaySeconds = deployment.LoopDelaySeconds, PhaseDelaySeconds = 0, AnalogDelaySeconds = 0, ConversionDelaySeconds = 0, DigitalDelaySeconds = 0,
            GainMax = 1, GainMaxTau = 1, RcSeconds = deployment.Profile.Integrator.TimeConstantSeconds, RcMinSeconds = 0, Reason = "given", Profile = deployment.Profile,
        };
        var costs = GraphCosts.Estimate(graph, deployment.Machine.Plan, deployment.Profile, design.LoopDelaySeconds, timing, 0);
        double linkJoules = costs.Lines.Single(l => l.Key == "links").Joules;
        Assert.True(linkJoules > 0);
        double counted = seen.Values.Sum() * 8 * deployment.Profile.Interconnect.EnergyPerBitJoules / samples;
        Assert.Equal(linkJoules, counted, linkJoules * 1e-9);
    }
}
