using System.Diagnostics;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MemristorGrid.Cluster.Tests;

/// <summary>The telemetry test listens to process-wide sources: nothing else may run beside it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}

/// <summary>What an operator sees: one trace from the client through job and lane to tiles, and tile
/// energy metrics that add up to the report.</summary>
[Collection(AloneCollection.Name)]
public class TelemetryTests
{
    [Fact]
    public async Task A_job_is_one_trace_and_its_energy_metrics_add_up_to_the_report()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(Instruments.Name, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
            .AddInMemoryExporter(spans)
            .Build();
        using var meter = Sdk.CreateMeterProviderBuilder().AddMeter(Instruments.Name).AddInMemoryExporter(metrics).Build();

        await using var cluster = await EmbeddedCluster.StartAsync();
        var (net, bytes) = Repo.Model("ring.onnx");
        var profile = Repo.Profile("rram-180nm");
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 3, ProgramSeed = 424_242, LaneSize = 100 };
        var result = await ClusterJobRunner.RunAsync(cluster.Client, bytes, "ring.onnx", profile, options, 300, []);
        tracer.ForceFlush();
        meter.ForceFlush();
        await cluster.DisposeAsync(); // no span may arrive while the lists are read

        var root = Assert.Single(spans, s => s.OperationName == "memgrid.run");
        var trace = spans.Where(s => s.TraceId == root.TraceId).ToList();
        Assert.Contains(trace, s => s.OperationName == "job");
        Assert.Equal(3, trace.Count(s => s.OperationName == "lane.window" && s.GetTagItem("segments") is "0..8"));
        // Ring sits on one chip: one chip call per pass, its span naming every tile it ran.
        Assert.Contains(trace, s => s.OperationName == "chip.evaluate" && s.GetTagItem("tiles") is "L0/r0/c0,L1/r0/c0,L2/r0/c0");
        var byId = trace.ToDictionary(s => s.SpanId);
        var tileSpan = trace.First(s => s.OperationName == "chip.evaluate");
        var chain = new List<string>();
        for (var s = tileSpan; s is not null; s = byId.GetValueOrDefault(s.ParentSpanId)) chain.Add(s.OperationName);
        Assert.Equal("memgrid.run", chain[^1]);
        Assert.Contains("lane.window", chain);
        Assert.Contains("job", chain);

        string deployment = new DeploymentSpec(bytes, "ring.onnx", profile.ToJson(), options.ProgramSeed).Id();
        double Sum(string name) => metrics.Where(m => m.Name == name).SelectMany(Points)
            .Where(p => Tag(p, "deployment") == deployment).Sum(p => p.GetSumDouble());
        double tileEnergy = Sum("memristorgrid.tile.energy"), periphery = Sum("memristorgrid.periphery.energy");
        Assert.Equal(result.Tiles.Sum(t => t.EnergyJoules), tileEnergy, 1e-9 * tileEnergy);
        Assert.Equal(result.TotalEnergyJoules, tileEnergy + periphery, 1e-9 * result.TotalEnergyJoules);
        // The job's own counter (by part) adds up to the same total.
        Assert.Equal(result.TotalEnergyJoules, Sum("memristorgrid.energy"), 1e-9 * result.TotalEnergyJoules);
        Assert.Contains(metrics, m => m.Name == "memristorgrid.tile.wall_time");
    }

    /// <summary>With nothing recording spans, grain calls carry no trace context: Orleans' propagation filters cost 1.5–2 µs of
    /// every tile call. With a listener (the test above) or an exporter they are there.</summary>
    [Fact]
    public async Task Grain_calls_carry_trace_context_only_when_spans_are_recorded()
    {
        Assert.False(Instruments.Source.HasListeners());
        await using (var quiet = await EmbeddedCluster.StartAsync())
            Assert.Empty(quiet.Services.GetServices<IIncomingGrainCallFilter>());
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(Instruments.Name).Build();
        await using var traced = await EmbeddedCluster.StartAsync();
        Assert.NotEmpty(traced.Services.GetServices<IIncomingGrainCallFilter>());
        Assert.NotEmpty(traced.Services.GetServices<IOutgoingGrainCallFilter>());
    }

    private static IEnumerable<MetricPoint> Points(Metric metric)
    {
        foreach (ref readonly var p in metric.GetMetricPoints()) yield return p;
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags) if (tag.Key == key) return tag.Value?.ToString();
        return null;
    }
}
