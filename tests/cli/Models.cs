using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Randomness;
using MemristorGrid.Engine.Training;

namespace MemristorGrid.Cli.Tests;

/// <summary>Models the tests need: the shipped ones and untrained networks of the same shape.</summary>
internal static class Models
{
    public static string Shipped(string name) => Path.Combine(CliRunner.RepoRoot(), "models", name);

    /// <summary>The paper's network with its initial (untrained) weights and the ring's or HKU's metadata.</summary>
    public static ScoreNetwork Untrained(bool conditional, ulong seed = 1)
    {
        var freqRng = Streams.Rng(seed, StreamPurpose.TimeFrequencies);
        var freqs = Enumerable.Range(0, 7).Select(i => (double)(float)freqRng.Gaussian((ulong)i)).ToArray();
        var net = new TrainableScoreNetwork(2, 14, 2, conditional ? 3 : 0, freqs, null, 5.0);
        var p = net.InitialParameters(Streams.Rng(seed, StreamPurpose.WeightInit));
        return net.ToScoreNetwork(p, new DiffusionMetadata
        {
            Task = conditional ? "hku" : "ring",
            ClassNames = conditional ? ["H", "K", "U"] : [],
            SamplingScheduleScale = conditional ? 1.5 : 2.0,
        });
    }

    public static string SaveUntrained(bool conditional, string dir)
    {
        string path = Path.Combine(dir, conditional ? "untrained-hku.onnx" : "untrained-ring.onnx");
        OnnxExporter.Save(Untrained(conditional), path);
        return path;
    }
}
