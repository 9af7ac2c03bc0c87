using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace MemristorGrid.Grains.Jobs;

/// <summary>
/// A job's state in the store. Writes go one after another (<see cref="SerialWrites"/>); one refused because another
/// activation wrote since (this one's silo was leaving while the next was activated) merges the stored copy into its own
/// and writes again; a store that holds no copy at all lost the job (Redis restarted empty), which is reported as such.
/// </summary>
internal sealed class JobStore(IPersistentState<JobState> state, ILogger logger)
{
    private SerialWrites? _writes;

    public JobState State { get => state.State; set => state.State = value; }

    public Task PersistAsync() => (_writes ??= new SerialWrites(WriteMergedAsync, logger)).WriteAsync();

    /// <summary>Removes the job from the store. A clear refused because the stored copy changed since this activation read it
    /// (another activation wrote while this one's silo was leaving, as a graceful shutdown mid-job does) clears the copy that is there now.</summary>
    public async Task ClearAsync()
    {
        try { await state.ClearStateAsync(); }
        catch (InconsistentStateException)
        {
            await state.ReadStateAsync();
            await state.ClearStateAsync();
        }
    }

    private async Task WriteMergedAsync()
    {
        try { await state.WriteStateAsync(); }
        catch (InconsistentStateException)
        {
            var mine = state.State;
            await state.ReadStateAsync();
            if (state.State.Spec is null)
            {
                state.State = mine;
                throw;
            }
            mine.Merge(state.State);
            state.State = mine;
            await state.WriteStateAsync();
        }
    }
}
