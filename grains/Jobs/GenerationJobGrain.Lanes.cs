using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace MemristorGrid.Grains.Jobs;

/// <summary>The job's calls to its lanes: each lane drives itself on its silo; the job follows it to its end.</summary>
public sealed partial class GenerationJobGrain
{
    private IIntegratorChannelGrain Lane(int k) => GrainFactory.GetGrain<IIntegratorChannelGrain>(GrainKeys.Lane(this.GetPrimaryKeyString(), k));

    private void Redriven(int lane, Exception e)
    {
        state.State.Redrives++;
        logger.LogWarning("lane {Lane} failed ({Error}); re-driving it from its checkpoint", lane, e.Message);
    }

    /// <summary>Starts the lane and asks how far it is until its final checkpoint is saved; the lane drives its
    /// own windows and answers each call when it next saves (or after its poll interval).</summary>
    private async Task DriveLaneAsync(LaneSlice slice, LaneAssignment assignment, int window)
    {
        while (!state.State.LaneDone[slice.Index] && !_stop.IsCancellationRequested)
        {
            var progress = await LaneCalls.RetryAsync(() => Lane(slice.Index).RunAsync(assignment, window), e => Redriven(slice.Index, e));
            _segmentsDone[slice.Index] = progress.Segment;
            if (progress.Segment >= progress.SegmentCount)
            {
                state.State.LaneDone[slice.Index] = true;
                await PersistAsync();
            }
        }
    }
}
