using System.Diagnostics;
using MemristorGrid.Engine.Analog;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace MemristorGrid.Grains.Jobs;

/// <summary>
/// A generation job: defines its deployment, splits the samples into lanes and drives every lane in
/// windows of segments. A lane call that fails because its silo died (or timed out) is retried: the
/// lane re-activates elsewhere and continues from its last checkpoint, which reproduces the same
/// samples. The job's definition, finished lanes and re-drive count are persisted, so the job itself
/// survives too: re-activated unfinished, it resumes every open lane from its checkpoint.
/// </summary>
public sealed class GenerationJobGrain(
    [PersistentState("job", Storage.Name)] IPersistentState<JobState> state,
    DeploymentCache deployments,
    ILogger<GenerationJobGrain> logger) : Grain, IGenerationJobGrain
{
    private Task? _running;
    private long[] _segmentsDone = [];
    private int _segmentsPerLane;
    private Task _lastWrite = Task.CompletedTask;
    private string? _error;
    private bool _errorIsUserInput;

    private const int MaxAttempts = 30;

    /// <summary>
    /// Calls a lane, retrying the failures a lost silo causes. A plain loop rather than a Polly pipeline:
    /// Polly resumes off the grain's scheduler, and a grain must only touch its state on its own.
    /// </summary>
    private async Task<T> RetryAsync<T>(Func<Task<T>> call, int lane)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { return await call(); }
            catch (Exception e) when (attempt < MaxAttempts && IsTransient(e))
            {
                state.State.Redrives++;
                logger.LogWarning("lane {Lane} failed ({Error}); re-driving it from its checkpoint", lane, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 * Math.Pow(2, Math.Min(attempt, 5)))));
            }
        }
    }

    private static bool IsTransient(Exception e) =>
        e is OrleansException or TimeoutException or ConnectionFailedException; // silo lost, message rejected, timed out

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A job re-activated after its silo died picks up where its lanes' checkpoints are; that
        // re-drives every open lane, and is counted like a retried lane call.
        if (state.State.Spec is null || state.State.Finished) return Task.CompletedTask;
        state.State.Redrives++;
        StartDriving();
        return Task.CompletedTask;
    }

    public async Task StartAsync(JobSpec spec)
    {
        if (state.State.Spec is { } existing)
        {
            if (existing.OptionsJson != spec.OptionsJson || existing.Count != spec.Count || existing.Deployment.Id() != spec.Deployment.Id())
                throw new InvalidOperationException($"job {this.GetPrimaryKeyString()} already runs a different spec");
            if (!state.State.Finished) StartDriving();
            return;
        }
        if (spec.Count < 1) throw new ArgumentException("a job needs at least one sample");
        await GrainFactory.GetGrain<IDeploymentGrain>(spec.Deployment.Id()).DefineAsync(spec.Deployment);
        var options = AnalogRunOptions.FromJson(spec.OptionsJson);
        int lanes = (spec.Count + options.LaneSize - 1) / options.LaneSize;
        state.State = new JobState { Spec = spec, LaneDone = new bool[lanes] };
        await PersistAsync();
        StartDriving();
    }

    public Task<JobStatus> GetStatusAsync()
    {
        var s = state.State;
        int lanes = s.LaneDone.Length;
        long total = (long)lanes * _segmentsPerLane;
        return Task.FromResult(new JobStatus(s.LaneDone.Count(d => d), lanes, _segmentsDone.Sum(), total, s.Finished, _error, s.Redrives, _errorIsUserInput));
    }

    public async Task<JobResult> GetResultAsync()
    {
        if (!state.State.Finished) throw new InvalidOperationException($"job {this.GetPrimaryKeyString()} has not finished");
        var calls = Enumerable.Range(0, state.State.LaneDone.Length).Select(k =>
        {
            var lane = Lane(k);
            return RetryAsync(() => lane.GetCheckpointAsync(), k);
        });
        return new JobResult(await Task.WhenAll(calls), state.State.Redrives);
    }

    /// <summary>
    /// Writes the state after any write still in flight. Lanes finish concurrently (interleaved on this
    /// activation), and two overlapping writes would carry the same ETag: the second would be refused.
    /// </summary>
    private Task PersistAsync() => _lastWrite = WriteAfterAsync(_lastWrite);

    private async Task WriteAfterAsync(Task previous)
    {
        try { await previous; }
        catch (Exception e) { logger.LogDebug(e, "an earlier job-state write failed; this one supersedes it"); }
        await state.WriteStateAsync();
    }

    private IIntegratorChannelGrain Lane(int k) => GrainFactory.GetGrain<IIntegratorChannelGrain>(GrainKeys.Lane(this.GetPrimaryKeyString(), k));

    private void StartDriving()
    {
        if (_running is { IsCompleted: false }) return;
        _error = null;
        _errorIsUserInput = false;
        var parent = Activity.Current?.Context ?? default;
        _running = DriveAsync(parent);
    }

    private async Task DriveAsync(ActivityContext parent)
    {
        using var span = Instruments.Source.StartActivity("job", ActivityKind.Internal, parent);
        span?.SetTag("job", this.GetPrimaryKeyString());
        try
        {
            var spec = state.State.Spec!;
            var deployment = deployments.Get(spec.Deployment);
            var options = AnalogRunOptions.FromJson(spec.OptionsJson);
            var driver = new LaneDriver(deployment.Network, deployment.Profile, deployment.Plan, options);
            _segmentsPerLane = driver.SegmentCount;
            int lanes = state.State.LaneDone.Length;
            _segmentsDone = new long[lanes];
            // Lanes beyond the cluster's cores only interleave and evict each other's working sets from
            // the caches; a bounded number in flight keeps every core busy with hot data.
            int silos = Math.Max(1, (await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count);
            using var slots = new SemaphoreSlim(Math.Max(1, spec.MaxConcurrentLanesPerSilo) * silos);
            var work = ReferenceSimulator.Lanes(spec.Count, options.LaneSize).Select(async (l, k) =>
            {
                await slots.WaitAsync();
                try { await DriveLaneAsync(k, l.First, l.Count, spec, deployment.Id); }
                finally { slots.Release(); }
            });
            await Task.WhenAll(work);
            state.State.Finished = true;
            await PersistAsync();
        }
        catch (Exception e)
        {
            // A problem with the user's model or profile (e.g. a loop driven out of range) stays one.
            _errorIsUserInput = e is Engine.UserInputException;
            _error = Environment.GetEnvironmentVariable("MEMGRID_DEBUG") == "1" ? e.ToString()
                : _errorIsUserInput ? e.Message : $"{e.GetType().Name}: {e.Message}";
            logger.LogError(e, "job {Job} failed", this.GetPrimaryKeyString());
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
        }
    }

    private async Task DriveLaneAsync(int k, long first, int count, JobSpec spec, string deploymentId)
    {
        var labels = spec.Labels.Length == 0 ? [] : spec.Labels.AsSpan((int)first, count).ToArray();
        var assignment = new LaneAssignment(deploymentId, spec.OptionsJson, first, count, labels);
        int window = Math.Max(1, spec.WindowSegments);
        int reached = 0;
        while (!state.State.LaneDone[k])
        {
            int target = reached + window;
            var lane = Lane(k);
            var progress = await RetryAsync(() => lane.AdvanceToAsync(assignment, target), k);
            reached = progress.Segment;
            _segmentsDone[k] = reached;
            if (reached >= progress.SegmentCount)
            {
                state.State.LaneDone[k] = true;
                await PersistAsync();
            }
        }
    }
}

[GenerateSerializer, Alias("mg.JobState")]
public sealed class JobState
{
    [Id(0)] public JobSpec? Spec { get; set; }
    [Id(1)] public bool[] LaneDone { get; set; } = [];
    [Id(2)] public bool Finished { get; set; }

    /// <summary>Lane calls retried after a failure, plus resumptions of the job after its own silo died.</summary>
    [Id(3)] public int Redrives { get; set; }
}
