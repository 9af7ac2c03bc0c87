using System.Globalization;
using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Hosting;

namespace MemristorGrid.Bench;

/// <summary>
/// What one crossbar-tile grain call costs beyond the tile's own arithmetic: the same tile evaluated directly and through its
/// grain (<see cref="ILocalTileGrain"/> on an embedded silo, called from the silo's own client: the in-process path a lane's
/// calls take), interleaved, in CPU time per call, at a lane of one sample (almost all overhead) and at the automatic lane
/// sizes. The difference is the per-call overhead a lane size must make small.
///   dotnet run -c Release --project bench -- calls [--repeats 3] [--model ring.onnx] [--profile rram-180nm] [--calls 20000]
/// </summary>
internal static class TileCallOverhead
{
    public static async Task<int> RunAsync(string[] args)
    {
        int repeats = BenchArgs.Int(args, "--repeats", 3), calls = BenchArgs.Int(args, "--calls", 20_000);
        string model = BenchArgs.Text(args, "--model") ?? "ring.onnx", profileName = BenchArgs.Text(args, "--profile") ?? "rram-180nm";
        byte[] bytes = File.ReadAllBytes(Path.Combine(BenchRepo.Root(), "models", model));
        var net = OnnxImporter.FromBytes(bytes, model);
        var profile = HardwareProfile.Resolve(profileName);
        var plan = DeploymentPlan.Create(net, profile.Mapping);
        var tp = plan.Tiles.MaxBy(t => t.RowCount * t.ColCount)!; // the network's largest tile
        var tile = CrossbarTile.Program(tp, net, profile, 1);

        await using var cluster = await EmbeddedCluster.StartAsync();
        var spec = new DeploymentSpec(bytes, model, profile.ToJson(), 1);
        await cluster.Client.GetGrain<IDeploymentGrain>(spec.Id()).DefineAsync(spec);
        var grain = cluster.Client.GetGrain<ILocalTileGrain>(GrainKeys.Tile(spec.Id(), tp.Chip, tp.Index));
        Console.WriteLine($"{model} on {profileName}: tile {tp.Id} ({tp.RowCount} × {tp.ColCount}), {calls} calls a side per repeat; CPU µs per call, min / median / max of {repeats} repeats");
        Console.WriteLine("| samples a call | direct | grain | overhead |");
        Console.WriteLine("|---|---|---|---|");
        foreach (int n in new[] { 1, 64, 500 })
        {
            var inputs = Enumerable.Range(0, n * tp.RowCount).Select(i => (float)Math.Sin(i)).ToArray();
            var x = new float[inputs.Length];
            var y = new float[n * tp.ColCount];
            var power = new double[n];
            var request = new TileRequest(MemoryMarshal.AsBytes(inputs.AsSpan()).ToArray(), n, 3, 0, 1, 0, false, ReadOnlyMemory<byte>.Empty);
            int perSide = Math.Max(200, calls / Math.Max(1, n / 8));
            void Direct()
            {
                for (int k = 0; k < perSide; k++)
                {
                    inputs.CopyTo(x, 0); // the grain copies its inputs too (the tile clips them in place)
                    tile.Evaluate(x, y, n, new ReadContext(3, 0, 1, k), power);
                }
            }
            async Task Grain()
            {
                for (int k = 0; k < perSide; k++)
                {
                    var answer = await grain.EvaluateAsync(request with { Pass = k });
                    Grains.Wire.ResponseBuffers.Return(answer.Outputs); // as a lane does once it has read them
                    Grains.Wire.ResponseBuffers.Return(answer.TilePower);
                }
            }
            Direct();
            await Grain(); // warm-up of both
            var direct = new List<double>();
            var grained = new List<double>();
            var overhead = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                double d = ProcessCpu.Measure(Direct).Cpu / perSide * 1e6;
                double g = ProcessCpu.Measure(() => Grain().GetAwaiter().GetResult()).Cpu / perSide * 1e6;
                direct.Add(d);
                grained.Add(g);
                overhead.Add(g - d);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n} | {MinMedianMax.Of(direct, "F1")} | {MinMedianMax.Of(grained, "F1")} | {MinMedianMax.Of(overhead, "F1")} |"));
        }
        return 0;
    }
}
