using System.Globalization;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Bench;

/// <summary>
/// Class accuracy's neighbour search (the largest part of a large latent run's scoring) against its definition, the scan, on
/// the queries it gets: a fashion run's generated latents (off the reference's manifold, where a k-d tree prunes least)
/// against the 60 000 encoded training images, one thread, interleaved, process CPU per query. Also checks that the tree
/// and the scan classify every query alike.
///   dotnet run -c Release --project bench -- neighbours [--repeats 5] [--samples 2000]
/// </summary>
internal static class NeighbourSearch
{
    public static int Run(string[] args)
    {
        int repeats = BenchArgs.Int(args, "--repeats", 5), count = BenchArgs.Int(args, "--samples", 2000);
        string path = Path.Combine(BenchRepo.Root(), "models", "fashion.onnx");
        var net = OnnxImporter.Load(path);
        var labels = Enumerable.Range(0, count).Select(i => i % net.ClassCount).ToArray();
        var options = new AnalogRunOptions { ScheduleScale = net.Metadata.SamplingScheduleScale, Seed = 3 };
        var queries = ReferenceSimulator.Run(net, HardwareProfile.Resolve("ideal"), options, count, labels).Samples;
        var reference = ReferenceResolver.Prepare(null, net.Metadata, options.Seed, count, _ => { })?.Load()
            ?? throw new InvalidOperationException("fashion.onnx names no reference");
        int d = reference.Dim;
        var classifier = new NearestNeighbourClassifier(reference);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} generated latents of {d} dimensions (fashion.onnx, ideal) against {reference.Count} references, k = 15, one thread"));

        int disagreements = 0;
        for (int i = 0; i < count; i++)
            if (classifier.Predict(queries.AsSpan(i * d, d)) != classifier.PredictByScan(queries.AsSpan(i * d, d))) disagreements++;
        var tree = new List<double>();
        var scan = new List<double>();
        int sink = 0;
        for (int r = 0; r < repeats; r++)
        {
            var (treeCpu, _) = ProcessCpu.Measure(() => { for (int i = 0; i < count; i++) sink += classifier.Predict(queries.AsSpan(i * d, d)); });
            var (scanCpu, _) = ProcessCpu.Measure(() => { for (int i = 0; i < count; i++) sink += classifier.PredictByScan(queries.AsSpan(i * d, d)); });
            tree.Add(treeCpu / count * 1e6);
            scan.Add(scanCpu / count * 1e6);
        }
        Console.WriteLine($"tree: {MinMedianMax.Of(tree, "F1")} µs per query");
        Console.WriteLine($"scan: {MinMedianMax.Of(scan, "F1")} µs per query");
        Console.WriteLine($"scan ÷ tree: {MinMedianMax.Of(scan.Zip(tree, (s, t) => s / t), "F2")}");
        Console.WriteLine($"queries the tree and the scan classify differently: {disagreements} (checksum {sink})");
        return disagreements == 0 ? 0 : 1;
    }
}
