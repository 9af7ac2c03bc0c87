using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Hosting;

namespace MemristorGrid.Bench;

/// <summary>
/// The whole analog run of the shipped ring model on rram-180nm at the default lane size (500): the
/// single-process reference simulator (baseline) against the same job on the grain system hosted by an
/// in-process silo (tile, lane and job grains, byte-buffer messages, checkpoints in memory storage).
/// The target is a ratio ≤ 1.5.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class GrainRunBenchmarks
{
    private ScoreNetwork _net = null!;
    private byte[] _bytes = [];
    private HardwareProfile _profile = null!;
    private EmbeddedCluster _cluster = null!;
    private readonly AnalogRunOptions _options = new() { ScheduleScale = 2, Seed = 1, LaneSize = 500 };

    [Params(4000)]
    public int Samples { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _bytes = File.ReadAllBytes(Path.Combine(BenchRepo.Root(), "models", "ring.onnx"));
        _net = OnnxImporter.FromBytes(_bytes, "ring.onnx");
        _profile = HardwareProfile.Resolve("rram-180nm");
        _cluster = EmbeddedCluster.StartAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public float[] Reference() => ReferenceSimulator.Run(_net, _profile, _options, Samples, []).Samples;

    [Benchmark]
    public float[] GrainsOnInProcessSilo() =>
        ClusterJobRunner.RunAsync(_cluster.Client, _bytes, "ring.onnx", _profile, _options, Samples, []).GetAwaiter().GetResult().Samples;
}
