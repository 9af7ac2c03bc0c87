using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Placement;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Wire;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Lanes;

/// <summary>
/// One lane of integrator channels. Runs the engine's <see cref="LaneDriver"/> — the same algorithm as
/// the reference simulator — with chip grains as its transport and the deployment's label-encoder grain
/// as the source of its class embeddings, and checkpoints (x, analog time, segment, costs) after every
/// window, so a lane lost with its silo resumes where it was saved.
/// </summary>
[LanePlacement]
public sealed class IntegratorChannelGrain(
    [PersistentState("lane", Storage.Name)] IPersistentState<LaneCheckpoint> checkpoint,
    DeploymentCache deployments,
    SiloLaneSlots slots,
    JobBoard board) : Grain, IIntegratorChannelGrain
{
    private readonly LaneCheckpoints _checkpoints = new(checkpoint);
    private LaneRuntime? _runtime;
    private LaneState? _lane;
    private LaneAssignment? _assignment;
    private Task? _driving;
    private bool _holdsSlot;
    private Exception? _failure;
    private readonly CancellationTokenSource _deactivating = new();

    public async Task<LaneProgress> RunAsync(LaneAssignment assignment, int windowSegments)
    {
        if (Interlocked.Exchange(ref _failure, null) is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        if (_checkpoints.IsFinished(assignment)) return new LaneProgress(checkpoint.State.Segment, checkpoint.State.Segment);
        await EnsureLaneAsync(assignment);
        var runtime = _runtime!;
        if (!runtime.IsDone(_lane!) && _driving is null or { IsCompleted: true }) _driving = DriveAsync(assignment, runtime.Timing.CheckpointWindow(windowSegments));
        // Answer when the next checkpoint is saved, or after a poll interval: the job learns at once that a lane finished and sends its
        // silo the next (polling every 100 ms left a slot idle ~50 ms per lane). A lane waiting for a slot answers less often.
        if (_driving is { IsCompleted: false }) await Task.WhenAny(_saved.Task, Task.Delay(_holdsSlot ? PollInterval : 10 * PollInterval));
        return new LaneProgress(checkpoint.State.Assignment is not null ? checkpoint.State.Segment : 0, runtime.Timing.SegmentCount);
    }

    /// <summary>The longest a progress call waits for the lane's next checkpoint.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private TaskCompletionSource _saved = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void SignalSaved() => Interlocked.Exchange(ref _saved, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Waits on this silo for one of its lane slots (<see cref="SiloLaneSlots"/>), then drives window after
    /// window until the run ends, without waiting for anyone: a lane that needed a message between windows
    /// stalled whenever its job's silo was busy (work a grain turn creates is served before messages that
    /// arrive from other silos), and a second silo idled half of every job.
    /// </summary>
    private async Task DriveAsync(LaneAssignment assignment, int window)
    {
        try
        {
            await slots.WaitAsync(_deactivating.Token);
            _holdsSlot = true;
            while (_runtime is { } runtime && _lane is { } lane && !runtime.IsDone(lane) && !_deactivating.IsCancellationRequested)
            {
                DelayDeactivation(TimeSpan.FromMinutes(2));
                await AdvanceWindowAsync(assignment, window);
            }
        }
        catch (Exception e) { _failure = e; }
        finally
        {
            if (_holdsSlot) slots.Release();
            _holdsSlot = false;
        }
        SignalSaved();
    }

    private async Task AdvanceWindowAsync(LaneAssignment assignment, int window)
    {
        var runtime = _runtime!;
        var lane = _lane!;
        var timing = runtime.Timing;
        int target = Math.Min(lane.Segment + window, timing.SegmentCount);
        // Tags given at the start, so that a sampler can choose by them (hosting's LaneWindowSampler).
        using var span = Instruments.Source.StartActivity("lane.window", System.Diagnostics.ActivityKind.Internal, parentContext: default,
            tags: [new("lane", this.GetPrimaryKeyString()), new("segments", $"{lane.Segment}..{target}")]);
        CallTracing.MakeParentOfCalls(span);
        int before = lane.Segment;
        string deployment = runtime.Deployment.Id;
        try { await runtime.AdvanceAsync(lane, target - lane.Segment); }
        catch
        {
            // A window that failed half-way (a tile's silo died) has moved x part of a segment:
            // forget it, so the retry resumes from the last checkpoint and repeats exactly.
            _lane = null;
            throw;
        }
        Instruments.LaneSegments.Add(lane.Segment - before, new KeyValuePair<string, object?>("deployment", deployment));
        Instruments.LaneAnalogTime.Add((lane.Segment - before) * timing.SegmentLength * timing.TimeConstant);
        WireFormat.Save(lane, assignment, checkpoint.State, finished: runtime.IsDone(lane));
        if (await _checkpoints.SaveAsync() is { } further) _lane = WireFormat.Restore(further); // another activation got as far: resume from its
        SignalSaved();
        if (runtime.IsDone(lane))
        {
            runtime.Finished(lane, board, GrainKeys.JobOfLane(this.GetPrimaryKeyString()));
            // Only the checkpoint stays: the lane's state and workspace (~1 KB a sample on ring) stayed resident in
            // every finished lane's activation until the job ended, so a silo's memory grew with the job's samples.
            _checkpoints.Finished(runtime.Timing.SegmentCount);
            (_lane, _runtime) = (null, null);
        }
    }

    private async Task EnsureLaneAsync(LaneAssignment assignment)
    {
        if (_lane is not null && _assignment!.SameAs(assignment)) return;
        _runtime = await LaneRuntime.CreateAsync(assignment, deployments, board, GrainFactory, this.GetPrimaryKeyString());
        _lane = checkpoint.State.Assignment is { } saved && saved.SameAs(assignment)
            ? WireFormat.Restore(checkpoint.State)
            : _runtime.CreateLane(assignment);
        _assignment = assignment;
    }

    /// <summary>
    /// Stops the drive while the activation is still valid: a lane waiting for a slot stops waiting, a
    /// driving one stops after its current window (saved). A drive that went on past deactivation would
    /// call chips and the store from an activation Orleans has invalidated, as the job grain's would (it
    /// stops the same way). The lane's next call, on another activation, resumes from the checkpoint.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        if (_driving is { IsCompleted: false } driving)
            await driving.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Current);
    }

    /// <summary>Stops the drive first (an abandoned job's lanes drive): a window in flight would save again after the clear.</summary>
    public async Task ForgetAsync()
    {
        _deactivating.Cancel();
        if (_driving is { IsCompleted: false } driving) await driving.ContinueWith(_ => { }, TaskScheduler.Current);
        await _checkpoints.ClearAsync();
        DeactivateOnIdle();
    }

    public Task<LaneCheckpoint> GetCheckpointAsync() =>
        checkpoint.State.Assignment is not null ? Task.FromResult(checkpoint.State)
            : throw new InvalidOperationException($"lane {this.GetPrimaryKeyString()} has not run");
}
