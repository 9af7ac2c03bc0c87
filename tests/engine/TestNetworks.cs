using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Randomness;
using MemristorGrid.Engine.Training;

namespace MemristorGrid.Engine.Tests;

/// <summary>Random (untrained) score networks for tests.</summary>
internal static class TestNetworks
{
    /// <summary>A model shipped in the repository's models/ folder.</summary>
    public static string ModelPath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MemristorGrid.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "models", name);
    }

    public static (TrainableScoreNetwork Net, double[] Parameters) Trainable(int d = 2, int h = 14, int layers = 2, int classes = 0,
        double? saturation = null, ulong seed = 1)
    {
        var rng = Streams.Rng(seed, StreamPurpose.TimeFrequencies);
        var freqs = Enumerable.Range(0, h / 2).Select(i => (double)(float)rng.Gaussian((ulong)i)).ToArray();
        var net = new TrainableScoreNetwork(d, h, layers, classes, freqs, saturation, 5.0);
        var p = net.InitialParameters(Streams.Rng(seed, StreamPurpose.WeightInit));
        return (net, p);
    }

    public static ScoreNetwork Inference(int d = 2, int h = 14, int layers = 2, int classes = 0, double? saturation = null, ulong seed = 1)
    {
        var (net, p) = Trainable(d, h, layers, classes, saturation, seed);
        var names = Enumerable.Range(0, classes).Select(c => ((char)('A' + c)).ToString()).ToArray();
        return net.ToScoreNetwork(p, new DiffusionMetadata { Task = "ring", ClassNames = names, SamplingScheduleScale = 2 });
    }

    public static (float[] X, float[] T, long[] Labels) Inputs(int n, int d, int classes, ulong seed)
    {
        var x = new float[n * d];
        var t = new float[n];
        Streams.Rng(seed, StreamPurpose.Reference, 1).FillGaussian(x);
        Streams.Rng(seed, StreamPurpose.Reference, 2).FillUniform(t, 1e-4f, 1f);
        var rng = Streams.Rng(seed, StreamPurpose.Reference, 3);
        var labels = classes == 0 ? [] : Enumerable.Range(0, n).Select(i => (long)(rng.NextUInt((ulong)i) % (uint)(classes + 1))).ToArray();
        return (x, t, labels);
    }
}
