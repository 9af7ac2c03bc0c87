using System.Diagnostics;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Placement;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Wire;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Jobs;

/// <summary>
/// A generation job: defines its deployment, splits the samples into lanes (<see cref="LaneSchedule"/>), has <see cref="JobLanes"/> send each
/// silo its lanes a few ahead of its slots, and summarises the finished lanes (an MLP's with the engine's accounting, a general graph's as
/// samples and counts). Its definition, finished lanes and re-drives are persisted (<see cref="JobStore"/>): re-activated unfinished, or
/// deactivated with its silo, it resumes every open lane from its checkpoint; delivered or abandoned (<see cref="JobLifetime"/>), it is cleared.
/// </summary>
public sealed class GenerationJobGrain(
    [PersistentState("job", Storage.Name)] IPersistentState<JobState> state,
    DeploymentCache deployments,
    JobLifetime lifetime,
    ILogger<GenerationJobGrain> logger) : Grain, IGenerationJobGrain
{
    private readonly ClientWatch _clients = new(TimeProvider.System, lifetime.AbandonAfter);
    private readonly JobStore _store = new(state, logger);
    private readonly CancellationTokenSource _stop = new();
    private JobLanes? _lanes;
    private Task? _running;
    private int _segmentsPerLane, _laneSlots;
    private int[]? _slotsBySilo;
    private Exception? _error;

    private JobLanes Lanes => _lanes ??= new JobLanes(GrainFactory, this.GetPrimaryKeyString(), _store, logger);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(ct => AbandonIfUnclaimedAsync(), _clients.CheckPeriod, _clients.CheckPeriod);
        // A job re-activated after its silo died re-drives every open lane: counted like a retried lane call.
        if (state.State.Spec is null || state.State.Finished) return Task.CompletedTask;
        state.State.Redrives++;
        logger.LogWarning("job {Job} re-activated here (its silo was lost or it was collected): resuming {Open} open lanes from their checkpoints",
            this.GetPrimaryKeyString(), state.State.LaneDone.Count(done => !done));
        StartDriving();
        return Task.CompletedTask;
    }

    public async Task StartAsync(JobSpec spec)
    {
        _clients.Touch();
        if (state.State.Spec is { } existing)
        {
            if (!existing.SameAs(spec)) throw new InvalidOperationException($"job {this.GetPrimaryKeyString()} already runs a different spec");
            if (!state.State.Finished) StartDriving();
            return;
        }
        LaneSchedule.Check(spec.Count, spec.Labels); // a grain call may come from any client
        await GrainFactory.GetGrain<IDeploymentGrain>(spec.Deployment.Id()).DefineAsync(spec.Deployment);
        _slotsBySilo = spec.Options.LaneSize > 0 ? null : await SiloCapacityGrain.LaneSlotsBySiloAsync(GrainFactory, spec.Deployment.Id(), this.GetPrimaryKeyString());
        int laneSize = _slotsBySilo is null ? spec.Options.LaneSize : LaneSchedule.AutoLaneSize(spec.Count, _slotsBySilo.Sum(), deployments.MaxAutoLaneSize(spec.Deployment));
        state.State = new JobState { Spec = spec, LaneSize = laneSize, LaneDone = new bool[LaneSchedule.Lanes(spec.Count, laneSize).Length] };
        await _store.PersistAsync();
        StartDriving();
    }

    public Task<JobStatus> GetStatusAsync()
    {
        _clients.Touch();
        var s = state.State;
        int lanes = s.LaneDone.Length;
        string? error = _error is null ? null : _error is UserInputException ? _error.Message : $"{_error.GetType().Name}: {_error.Message}";
        return Task.FromResult(new JobStatus(s.LaneDone.Count(d => d), lanes, Lanes.SegmentsDone.Sum(), (long)lanes * _segmentsPerLane, s.Finished,
            error, s.Redrives, _error is UserInputException, _error?.ToString(), _laneSlots, LaneCalls.IsStateLost(_error), s.Spec?.Count ?? 0));
    }

    public async Task<RunSummary> GetResultAsync() => await Lanes.SummariseAsync(FinishedSpec(), deployments.Get(FinishedSpec().Deployment));
    public async Task<GraphRunData> GetGraphResultAsync() => await Lanes.SummariseGraphAsync(FinishedSpec(), deployments.Any(FinishedSpec().Deployment).Tiles.Count);

    private JobSpec FinishedSpec()
    {
        _clients.Touch();
        return state.State is { Spec: { } spec, Finished: true } ? spec : throw new InvalidOperationException($"job {this.GetPrimaryKeyString()} has not finished");
    }

    private void StartDriving()
    {
        if (_running is { IsCompleted: false }) return;
        _error = null;
        _running = DriveAsync(Activity.Current?.Context ?? default);
    }

    private async Task DriveAsync(ActivityContext parent)
    {
        using var span = Instruments.Source.StartActivity("job", ActivityKind.Internal, parent);
        span?.SetTag("job", this.GetPrimaryKeyString());
        try
        {
            var spec = state.State.Spec!;
            var deployment = deployments.Any(spec.Deployment);
            _segmentsPerLane = RunTiming.Of(deployment.Profile, spec.Options.ToEngine()).SegmentCount;
            // Asked once per activation: the start already asked when it chose the lane size.
            var slotsBySilo = _slotsBySilo ??= await SiloCapacityGrain.LaneSlotsBySiloAsync(GrainFactory, deployment.Id, this.GetPrimaryKeyString());
            _laneSlots = slotsBySilo.Sum();
            await Lanes.DriveAllAsync(spec, new LaneAssignment(deployment.Id, spec.Options, 0, 0, [], spec.Placement), slotsBySilo, _stop.Token);
            _stop.Token.ThrowIfCancellationRequested();
            state.State.Finished = true;
            await _store.PersistAsync();
        }
        catch (Exception) when (_stop.IsCancellationRequested) { } // deactivating: see OnDeactivateAsync
        catch (Exception e)
        {
            _error = e;
            logger.LogError(e, "job {Job} failed", this.GetPrimaryKeyString());
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
        }
    }

    /// <summary>Stops driving while the activation is valid: a drive that went on would touch invalidated state.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _stop.Cancel();
        if (_running is { IsCompleted: false } running)
        {
            await running.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Current);
            logger.LogInformation("job {Job} stops here ({Reason}); it resumes where it is activated next", this.GetPrimaryKeyString(), reason.Description);
        }
        // A finished job whose client vanished before fetching its result is collected idle: its checkpoints go with it.
        if (reason.ReasonCode == DeactivationReasonCode.ActivationIdle) await ForgetAsync();
    }

    /// <summary>No client asked within <see cref="JobLifetime.AbandonAfter"/>: the job stops and leaves the store.</summary>
    private async Task AbandonIfUnclaimedAsync()
    {
        if (state.State.Spec is null || !_clients.Abandoned) return;
        logger.LogWarning("job {Job} abandoned: no client asked for it in {Seconds:0} s; its lanes and state are removed", this.GetPrimaryKeyString(), _clients.Silence.TotalSeconds);
        _stop.Cancel();
        if (_running is { } running) await running.ContinueWith(_ => { }, TaskScheduler.Current);
        await ClearAsync();
    }

    public Task ForgetAsync() => state.State.Spec is null || !state.State.Finished ? Task.CompletedTask : ClearAsync();

    private async Task ClearAsync()
    {
        await LaneCalls.ForgetAllAsync(GrainFactory, this.GetPrimaryKeyString(), state.State.LaneDone.Length);
        await _store.ClearAsync();
        DeactivateOnIdle();
    }
}
