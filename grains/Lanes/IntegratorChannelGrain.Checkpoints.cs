using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Wire;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Lanes;

/// <summary>The lane's checkpoint in the store, and how its activation ends.</summary>
public sealed partial class IntegratorChannelGrain
{
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

    /// <summary>
    /// Writes the checkpoint. Refused because another activation wrote since (this lane's old silo saved
    /// its last window while it was leaving), it rereads: a stored checkpoint as far or further along is the
    /// same run's (lanes are deterministic), so it is kept and the lane resumes from it; an older one is
    /// overwritten; none at all means the store lost the lane (Redis restarted empty), which is reported.
    /// </summary>
    private async Task SaveCheckpointAsync()
    {
        try { await checkpoint.WriteStateAsync(); }
        catch (Orleans.Storage.InconsistentStateException)
        {
            var mine = checkpoint.State;
            await checkpoint.ReadStateAsync();
            if (checkpoint.State.Assignment is null) { checkpoint.State = mine; throw; }
            if (checkpoint.State.Segment >= mine.Segment)
            {
                _lane = WireFormat.Restore(checkpoint.State);
                return;
            }
            checkpoint.State = mine;
            await checkpoint.WriteStateAsync();
        }
    }

    public async Task ForgetAsync()
    {
        await checkpoint.ClearStateAsync();
        DeactivateOnIdle();
    }

    public Task<LaneCheckpoint> GetCheckpointAsync() =>
        checkpoint.State.Assignment is not null ? Task.FromResult(checkpoint.State)
            : throw new InvalidOperationException($"lane {this.GetPrimaryKeyString()} has not run");
}
