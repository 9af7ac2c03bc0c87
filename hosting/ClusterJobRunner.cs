using System.Diagnostics;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Wire;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace MemristorGrid.Hosting;

/// <summary>Runs a generation job on a cluster from the client side: start it, follow it, and receive
/// the finished result the job grain accounted. The client builds no lane driver and no plan.</summary>
public static class ClusterJobRunner
{
    private static readonly ResiliencePipeline Calls = ClusterCalls.Create(TimeSpan.FromSeconds(60));

    /// <summary>
    /// Status polls read the job grain's memory, so an answer slower than this is a lost one: a poll in flight to a silo that
    /// died or hangs gets no reply until Orleans' 30 s response timeout (with it the whole job once stood still for 30 s). A
    /// fresh poll after this finds the job re-activated on a live silo; polls retry at a constant pace, for a minute in all.
    /// </summary>
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(0.5);

    private static readonly ResiliencePipeline Polls = ClusterCalls.Create(PollTimeout, // declared after PollTimeout: initialised in order
        retries: (int)(TimeSpan.FromMinutes(1) / (PollTimeout + ClusterCalls.FirstPause)), Polly.DelayBackoffType.Constant);

    /// <param name="windowSegments">Segments per lane call and checkpoint (tests shorten it).</param>
    /// <param name="jobId">The job's grain; null = the request's content address (<see cref="JobSpec.ContentId"/>), so the same
    /// command run again after its client died attaches to the job still running.</param>
    /// <param name="notice">Told, in one line, when the job was already running or done (the run resumes it).</param>
    public static async Task<AnalogRunResult> RunAsync(IGrainFactory grains, byte[] modelBytes, string modelName,
        HardwareProfile profile, AnalogRunOptions options, int count, int[] labels, IProgress<double>? progress = null,
        string? jobId = null, int windowSegments = LaneSchedule.WindowSegments, TilePlacementMode placement = TilePlacementMode.Local,
        CancellationToken cancel = default, Action<string>? notice = null)
    {
        LaneSchedule.Check(count, labels);
        options.Validate();
        var stopwatch = Stopwatch.StartNew();
        // A profile that derives its loop timing is designed here, once, from the job's own span and sampler: the silos run
        // the designed profile as it is (a run request arrives designed already).
        if (profile.Loop.Derive && !profile.Loop.Designed)
            profile = Engine.Accounting.LoopDesigner.Ensure(Engine.Onnx.OnnxImporter.FromBytes(modelBytes, modelName), profile, options);
        var spec = new JobSpec(new DeploymentSpec(modelBytes, modelName, profile.ToJson(), options.ProgramSeed), options.ToWire(), count, labels, windowSegments, placement);
        var summary = await RunJobAsync(grains, spec, jobId, job => job.GetResultAsync(), progress, cancel, notice);
        return summary.ToEngine() with { Wall = stopwatch.Elapsed };
    }

    /// <summary>
    /// Runs a general graph's job (a U-Net) on the cluster: <paramref name="profile"/> is the profile as the client designed the loop
    /// (its RC), <paramref name="staging"/> the gain staging it probed; both are part of the deployment, so every silo programs and
    /// times exactly the machine the reference simulator would. Returns the samples and what the lanes counted.
    /// </summary>
    public static async Task<GraphRunData> RunGraphAsync(IGrainFactory grains, byte[] modelBytes, string modelName, HardwareProfile profile, byte[] staging,
        AnalogRunOptions options, int count, int[] labels, IProgress<double>? progress = null, string? jobId = null,
        int windowSegments = LaneSchedule.WindowSegments, TilePlacementMode placement = TilePlacementMode.Local, CancellationToken cancel = default,
        Action<string>? notice = null)
    {
        LaneSchedule.Check(count, labels);
        options.Validate();
        var spec = new JobSpec(new DeploymentSpec(modelBytes, modelName, profile.ToJson(), options.ProgramSeed, staging), options.ToWire(), count, labels,
            windowSegments, placement);
        return await RunJobAsync(grains, spec, jobId, job => job.GetGraphResultAsync(), progress, cancel, notice);
    }

    /// <summary>Starts <paramref name="spec"/>'s job (or attaches to it), follows it to its end and fetches its result.</summary>
    private static async Task<T> RunJobAsync<T>(IGrainFactory grains, JobSpec spec, string? jobId, Func<IGenerationJobGrain, Task<T>> fetch,
        IProgress<double>? progress, CancellationToken cancel, Action<string>? notice) where T : class
    {
        var job = grains.GetGrain<IGenerationJobGrain>(jobId ?? spec.ContentId());
        using var span = Instruments.Source.StartActivity("memgrid.run", ActivityKind.Client);
        span?.SetTag("job", job.GetPrimaryKeyString());
        span?.SetTag("samples", spec.Count);
        // Asking first activates a job the store still holds, which resumes its open lanes from their checkpoints. Through the
        // start's own pipeline: it is the job's first call (the polls' short one once broke its circuit on a gateway that had
        // just gone, where the start's retries ride it out).
        if (await CallAsync(job, () => job.GetStatusAsync(), cancel) is { Lanes: > 0 } earlier)
            notice?.Invoke(earlier.Finished
                ? $"job {job.GetPrimaryKeyString()} had finished (its client left before the result): fetching it"
                : $"resuming job {job.GetPrimaryKeyString()}: {earlier.LanesDone} of {earlier.Lanes} lanes done, {earlier.SegmentsDone} of {earlier.Segments} segments");
        await CallAsync(job, () => job.StartAsync(spec), cancel);
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            var status = await CallAsync(job, () => job.GetStatusAsync(), cancel, Polls);
            if (status.StateLost)
                throw new ClusterLostException($"the cluster's store lost job {job.GetPrimaryKeyString()}'s state (was Redis restarted without its data?); nothing was written — run the command again");
            if (status.Error is { } error)
                throw status.ErrorIsUserInput ? new UserInputException(error) : new ClusterJobException(error, status.ErrorDetail);
            if (status.Finished) break;
            if (status.Lanes == 0) await CallAsync(job, () => job.StartAsync(spec), cancel); // its state was lost with a silo
            else if (status.Segments > 0) progress?.Report((double)status.SegmentsDone / status.Segments);
            await Task.Delay(100, cancel);
        }
        // The same command run twice at once: the other client may have taken the result and cleared the job. The samples do
        // not depend on who computes them: this client then runs the job again.
        T? result = null;
        try { result = await CallAsync(job, () => fetch(job), cancel); }
        catch (InvalidOperationException) when (!cancel.IsCancellationRequested) { }
        if (result is null)
        {
            if ((await CallAsync(job, () => job.GetStatusAsync(), cancel, Polls)).Lanes != 0) throw new InvalidOperationException($"job {job.GetPrimaryKeyString()} gave no result");
            return await RunJobAsync(grains, spec, jobId, fetch, progress, cancel, notice);
        }
        await CallAsync(job, () => job.ForgetAsync(), cancel); // the result is here: the store keeps nothing of the job
        progress?.Report(1.0);
        return result;
    }

    /// <summary>
    /// A call to the job through the resilience pipeline. Its retries outlast an orchestrator restarting
    /// the silos (the job then resumes, or restarts if its state went with them); a cluster still gone
    /// after them is one clear error, not an internal one.
    /// </summary>
    private static async Task<T> CallAsync<T>(IGenerationJobGrain job, Func<Task<T>> call, CancellationToken cancel, ResiliencePipeline? pipeline = null)
    {
        // Polly's timeout only cancels a token, and a grain call does not watch one: the attempt stops
        // waiting instead (the call is idempotent; a late reply is dropped).
        try { return await (pipeline ?? Calls).ExecuteAsync(async attempt => await call().WaitAsync(attempt), cancel); }
        catch (Exception e) when (e is OrleansException or ConnectionFailedException or BrokenCircuitException or TimeoutRejectedException or TimeoutException
                                  && !cancel.IsCancellationRequested)
        {
            // Orleans' "will retry after …" is not true any more: the retries are spent.
            string reason = System.Text.RegularExpressions.Regex.Replace(Diagnostics.Messages(e), @",? will retry after [\d.]+ ?ms", "");
            throw new ClusterLostException($"lost the cluster while job {job.GetPrimaryKeyString()} ran ({reason}); nothing was written — run the command again once the cluster is back", e);
        }
    }

    private static Task CallAsync(IGenerationJobGrain job, Func<Task> call, CancellationToken cancel) =>
        CallAsync(job, async () => { await call(); return true; }, cancel);

    /// <summary>What a job on the cluster reported.</summary>
    public static async Task<JobStatus> StatusAsync(IGrainFactory grains, string jobId) =>
        await grains.GetGrain<IGenerationJobGrain>(jobId).GetStatusAsync();
}

/// <summary>The cluster, or its store, went away under a job (not a bug and not bad input): the command
/// stops with this one-line message and exit code 69.</summary>
public sealed class ClusterLostException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A job failed on the cluster for a reason that is not the user's; <see cref="Detail"/> is the
/// remote exception with its stack trace, for MEMGRID_DEBUG.</summary>
public sealed class ClusterJobException(string message, string? detail) : Exception($"the job failed on the cluster: {message}")
{
    public string? Detail { get; } = detail;
}
