using BenchmarkDotNet.Attributes;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Randomness;
using MemristorGrid.Engine.Training;

namespace MemristorGrid.Bench;

/// <summary>
/// One score evaluation of the paper's 2 → 14 → 14 → 2 network on a batch: the engine's span forward
/// pass against ONNX Runtime (the digital baseline), as a ratio to ONNX Runtime.
/// </summary>
[MemoryDiagnoser]
public class ScoreEvaluationBenchmarks
{
    private NetworkScoreModel _engine = null!;
    private OnnxRuntimeScoreModel _ort = null!;
    private float[] _x = [], _t = [], _score = [];

    [Params(512, 10_000)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var data = BuiltInTasks.Ring(1000, 1);
        var net = new Trainer(new TrainingOptions { Epochs = 1, Seed = 1 }).Train(data, new DiffusionMetadata()).Network;
        _engine = new NetworkScoreModel(net);
        _ort = new OnnxRuntimeScoreModel(OnnxExporter.ToBytes(net), net);
        _x = new float[Batch * 2];
        _t = new float[Batch];
        _score = new float[Batch * 2];
        Streams.Rng(7, StreamPurpose.Reference).FillGaussian(_x);
        Streams.Rng(7, StreamPurpose.Reference, 1).FillUniform(_t, 0, 1);
    }

    [Benchmark(Baseline = true)]
    public void OnnxRuntime() => _ort.Evaluate(_x, _t, [], _score);

    [Benchmark]
    public void Engine() => _engine.Evaluate(_x, _t, [], _score);

    [GlobalCleanup]
    public void Cleanup() => _ort.Dispose();
}
