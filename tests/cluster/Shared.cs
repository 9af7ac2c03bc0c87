using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Grains;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Hosting;
using Orleans.TestingHost;

namespace MemristorGrid.Cluster.Tests;

internal static class Repo
{
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MemristorGrid.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    public static string ModelPath(string name) => Path.Combine(Root(), "models", name);

    public static (ScoreNetwork Network, byte[] Bytes) Model(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Root(), "models", name));
        return (OnnxImporter.FromBytes(bytes, name), bytes);
    }

    /// <summary>A preset with its loop timing given, not derived: the cluster's tests compare the grain path with the reference
    /// simulator and name deployments by their profile, so they want one profile whatever the model (rram-180nm's loop design
    /// is per model: RC 20 µs, 20 ns TIAs, 10 ns activations, 200 ns updates instead). Runs through `memgrid run` design it.</summary>
    public static HardwareProfile Profile(string name)
    {
        var p = HardwareProfile.Resolve(name);
        if (!p.Loop.Derive) return p;
        return p with
        {
            Loop = p.Loop with { Derive = false },
            Integrator = p.Integrator with { TimeConstantSeconds = 20e-6 },
            Tia = p.Tia with { SettlingSeconds = 20e-9 },
            Activation = p.Activation with { DelaySeconds = 10e-9 },
            Controller = p.Controller with { UpdatePeriodSeconds = 200e-9 },
        };
    }

    /// <summary>A fresh directory under the system temp folder (its path, not yet created when <paramref name="create"/> is false).</summary>
    public static string TempDir(bool create = true)
    {
        string path = Path.Combine(Path.GetTempPath(), "memgrid-tests", Guid.NewGuid().ToString("N"));
        if (create) Directory.CreateDirectory(path);
        return path;
    }

    /// <summary><c>memgrid</c> in this process, exactly as Program.Main runs it, with captured output.</summary>
    public static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = MemristorGrid.Client.Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }
}

/// <summary>Three silos in this process (Orleans' InProcessTestCluster), shared by a test class.</summary>
public sealed class ThreeSiloCluster : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) => silo.AddMemristorGridGrains().AddMemoryGrainStorage(Storage.Name));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>A job driven straight through its grain, without <see cref="ClusterJobRunner"/>'s final
/// <c>ForgetAsync</c>: its lanes and status stay for a test to inspect.</summary>
internal static class KeptJobs
{
    public static async Task<GrainInterfaces.IGenerationJobGrain> RunAsync(IGrainFactory grains, byte[] modelBytes, string modelName, HardwareProfile profile,
        Engine.Simulation.AnalogRunOptions options, int count, int[] labels)
    {
        var job = grains.GetGrain<GrainInterfaces.IGenerationJobGrain>($"job-{Guid.NewGuid():N}");
        var spec = new GrainInterfaces.JobSpec(new GrainInterfaces.DeploymentSpec(modelBytes, modelName, profile.ToJson(), options.ProgramSeed),
            Grains.Wire.WireFormat.ToWire(options), count, labels, Engine.Simulation.LaneSchedule.WindowSegments, GrainInterfaces.TilePlacementMode.Local);
        await job.StartAsync(spec);
        var deadline = DateTime.UtcNow.AddMinutes(3);
        for (var status = await job.GetStatusAsync(); !status.Finished; status = await job.GetStatusAsync())
        {
            if (status.Error is { } error) throw new InvalidOperationException(error);
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the job did not finish in 3 min");
            await Task.Delay(50);
        }
        return job;
    }
}
