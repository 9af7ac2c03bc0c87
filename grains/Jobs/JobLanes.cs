using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Placement;
using MemristorGrid.Grains.Wire;
using Microsoft.Extensions.Logging;

namespace MemristorGrid.Grains.Jobs;

/// <summary>
/// A job's calls to its lanes: each lane drives itself on its silo; the job starts it, follows it to its final
/// checkpoint and re-drives it from that checkpoint when a call fails. Lane k runs on silo k mod N
/// (LanePlacementDirector): each silo gets a window of its own lanes, more than its slots, and a lane waits on its
/// silo for a slot (<see cref="SiloLaneSlots"/>).
/// </summary>
internal sealed class JobLanes(IGrainFactory grains, string job, JobStore store, ILogger logger)
{
    /// <summary>Segments each lane has done, as its last answer said.</summary>
    public long[] SegmentsDone { get; private set; } = [];

    private IIntegratorChannelGrain Lane(int k) => grains.GetGrain<IIntegratorChannelGrain>(GrainKeys.Lane(job, k));

    private void Redriven(int lane, Exception e)
    {
        store.State.Redrives++;
        logger.LogWarning("lane {Lane} failed ({Error}); re-driving it from its checkpoint", lane, e.Message);
    }

    /// <summary>Drives every lane to its end, a window of lanes per silo at a time.</summary>
    public async Task DriveAllAsync(JobSpec spec, LaneAssignment template, int[] slotsBySilo, CancellationToken stop)
    {
        var lanes = LaneSchedule.Lanes(spec.Count, store.State.LaneSize);
        SegmentsDone = new long[lanes.Length];
        var windows = slotsBySilo.Select(n => new SemaphoreSlim(SiloLaneSlots.QueuedPerSlot * n)).ToArray();
        await Task.WhenAll(lanes.Select(async slice =>
        {
            var window = windows[slice.Index % windows.Length];
            await window.WaitAsync(stop);
            try { await DriveLaneAsync(slice, template with { FirstSample = slice.First, Count = slice.Count, Labels = slice.LabelsOf(spec.Labels) }, spec.WindowSegments, stop); }
            finally { window.Release(); }
        }));
    }

    /// <summary>Starts the lane and asks how far it is until its final checkpoint is saved; the lane drives its
    /// own windows and answers each call when it next saves (or after its poll interval).</summary>
    private async Task DriveLaneAsync(LaneSlice slice, LaneAssignment assignment, int window, CancellationToken stop)
    {
        while (!store.State.LaneDone[slice.Index] && !stop.IsCancellationRequested)
        {
            var progress = await LaneCalls.RetryAsync(() => Lane(slice.Index).RunAsync(assignment, window), e => Redriven(slice.Index, e));
            SegmentsDone[slice.Index] = progress.Segment;
            if (progress.Segment >= progress.SegmentCount)
            {
                store.State.LaneDone[slice.Index] = true;
                await store.PersistAsync();
            }
        }
    }

    /// <summary>The finished job's figures: every lane's final checkpoint through the engine's accounting, with the re-drives.</summary>
    public async Task<RunSummary> SummariseAsync(JobSpec spec, Deployment deployment)
    {
        var checkpoints = await CheckpointsAsync();
        var options = spec.Options.ToEngine();
        var result = HardwareAccounting.Summarise(RunTiming.Of(deployment.Profile, options), deployment.Plan, options, deployment.Network.InputDim, deployment.Profile,
            checkpoints.Select(WireFormat.Restore).ToList());
        return (result with { LaneRetries = store.State.Redrives, LaneSize = store.State.LaneSize }).ToWire();
    }

    /// <summary>A finished general graph's samples and counts, from every lane's final checkpoint (the client accounts its costs).</summary>
    public async Task<GraphRunData> SummariseGraphAsync(JobSpec spec, int tiles)
    {
        var lanes = (await CheckpointsAsync()).Select(WireFormat.Restore).ToList();
        int d = lanes.Count > 0 ? lanes[0].X.Length / lanes[0].Count : 0;
        var totals = Engine.Graphs.Analog.GraphLaneTotals.Fold(lanes, spec.Count, d, tiles);
        return new GraphRunData(Samples: WireFormat.Bytes<float>(totals.Samples), Labels: spec.Labels, Dim: d, Counters: totals.Counters.ToWire(),
            TileCellEnergyJoules: WireFormat.Bytes<double>(totals.TileCellEnergyJoules), TileMvms: totals.TileMvms, LaneRetries: store.State.Redrives,
            LaneSize: store.State.LaneSize);
    }

    /// <summary>Every lane's final checkpoint.</summary>
    public Task<LaneCheckpoint[]> CheckpointsAsync() => Task.WhenAll(Enumerable.Range(0, store.State.LaneDone.Length)
        .Select(k => LaneCalls.RetryAsync(() => Lane(k).GetCheckpointAsync(), e => Redriven(k, e))));
}
