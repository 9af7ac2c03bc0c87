using MemristorGrid.GrainInterfaces;
using Orleans.Storage;

namespace MemristorGrid.Grains.Lanes;

/// <summary>A lane's checkpoint in the store: written after every window, merged when another activation wrote first.</summary>
internal sealed class LaneCheckpoints(IPersistentState<LaneCheckpoint> state)
{
    public LaneCheckpoint State => state.State;

    /// <summary>
    /// Writes the checkpoint. Refused because another activation wrote since (this lane's old silo saved its last
    /// window while it was leaving), it rereads: a stored checkpoint as far or further along is the same run's (lanes
    /// are deterministic), so it is kept and returned for the lane to resume from; an older one is overwritten; none at
    /// all means the store lost the lane (Redis restarted empty), which is reported.
    /// </summary>
    public async Task<LaneCheckpoint?> SaveAsync()
    {
        try { await state.WriteStateAsync(); }
        catch (InconsistentStateException)
        {
            var mine = state.State;
            await state.ReadStateAsync();
            if (state.State.Assignment is null) { state.State = mine; throw; }
            if (state.State.Segment >= mine.Segment) return state.State;
            state.State = mine;
            await state.WriteStateAsync();
        }
        return null;
    }

    public Task ClearAsync() => state.ClearStateAsync();

    /// <summary>The segment count of the lane whose final checkpoint this activation saved (and whose state it released), else null.</summary>
    private int? _finalSegment;

    public void Finished(int segmentCount) => _finalSegment = segmentCount;

    /// <summary>Whether this activation saved <paramref name="assignment"/>'s final checkpoint: the lane is done and kept only here.</summary>
    public bool IsFinished(LaneAssignment assignment) =>
        _finalSegment is { } last && state.State is { Assignment: { } saved } && saved.SameAs(assignment) && state.State.Segment >= last;
}
