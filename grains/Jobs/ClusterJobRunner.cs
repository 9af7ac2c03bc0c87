using System.Diagnostics;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Analog;
using MemristorGrid.Engine.Hardware;
using MemristorGrid.Engine.Networks;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Hosting;
using MemristorGrid.Grains.Lanes;
using MemristorGrid.Grains.Telemetry;
using Polly;

namespace MemristorGrid.Grains.Jobs;

/// <summary>Runs a generation job on a cluster from the client side: start it, follow it, collect it,
/// and account its costs exactly as the reference simulator does.</summary>
public static class ClusterJobRunner
{
    /// <summary>Segments per lane call: short enough to stay far below Orleans' response timeout, and
    /// the checkpoint interval of every lane.</summary>
    public const int DefaultWindowSegments = 8;

    private static readonly ResiliencePipeline Calls = ClusterCalls.Create(TimeSpan.FromSeconds(60));

    public static async Task<AnalogRunResult> RunAsync(IGrainFactory grains, ScoreNetwork network, byte[] modelBytes, string modelName,
        HardwareProfile profile, AnalogRunOptions options, int count, int[] labels, IProgress<double>? progress = null,
        string? jobId = null, int windowSegments = DefaultWindowSegments, CancellationToken cancel = default)
    {
        if (count < 1) throw new UserInputException($"--samples must be at least 1 (got {count})");
        var stopwatch = Stopwatch.StartNew();
        var plan = DeploymentPlan.Create(network, profile.Mapping);
        var driver = new LaneDriver(network, profile, plan, options); // validates options and gives the accounting its constants
        var spec = new JobSpec(new DeploymentSpec(modelBytes, modelName, profile.ToJson(), options.ProgramSeed), options.ToJson(), count, labels,
            windowSegments, MaxConcurrentLanesPerSilo: 2 * Environment.ProcessorCount);
        var job = grains.GetGrain<IGenerationJobGrain>(jobId ?? $"job-{Guid.NewGuid():N}");

        using var span = Instruments.Source.StartActivity("memgrid.run", ActivityKind.Client);
        span?.SetTag("job", job.GetPrimaryKeyString());
        span?.SetTag("samples", count);
        await Calls.ExecuteAsync(async _ => await job.StartAsync(spec), cancel);
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            var status = await Calls.ExecuteAsync(async _ => await job.GetStatusAsync(), cancel);
            if (status.Error is { } error)
                throw status.ErrorIsUserInput ? new UserInputException(error) : new InvalidOperationException($"the job failed on the cluster: {error}");
            if (status.Finished) break;
            if (status.Lanes == 0) await Calls.ExecuteAsync(async _ => await job.StartAsync(spec), cancel); // its state was lost with a silo
            else if (status.Segments > 0) progress?.Report((double)status.SegmentsDone / status.Segments);
            await Task.Delay(100, cancel);
        }
        var result = await Calls.ExecuteAsync(async _ => await job.GetResultAsync(), cancel);
        progress?.Report(1.0);
        var lanes = result.Lanes.Select(LaneCheckpoints.Restore).ToList();
        return HardwareAccounting.Summarise(driver, profile, lanes, network.InputDim, stopwatch.Elapsed) with { LaneRetries = result.LaneRetries };
    }
}
