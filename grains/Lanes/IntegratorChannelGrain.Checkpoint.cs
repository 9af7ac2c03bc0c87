using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Grains.Lanes;

public sealed partial class IntegratorChannelGrain
{
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
}
