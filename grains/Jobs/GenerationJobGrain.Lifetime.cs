using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace MemristorGrid.Grains.Jobs;

/// <summary>
/// How a job's activation ends. Deactivated with its silo (a graceful shutdown), it stops driving while
/// the activation is still valid — a drive that went on would touch state Orleans has invalidated and
/// send lane calls from a silo that refuses them — and resumes where the next call re-activates it. A
/// delivered job keeps nothing in the store: its state and every lane's checkpoint are deleted.
/// Writes that race another activation of the same job merge instead of failing.
/// </summary>
public sealed partial class GenerationJobGrain
{
    private readonly CancellationTokenSource _stop = new();

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

    /// <summary>
    /// Writes the job's state. Refused because another activation wrote since (this one's silo was leaving
    /// while the next was activated), it merges the stored copy into its own and writes again; a store that
    /// holds no copy at all lost the job (Redis restarted empty), which is reported as such.
    /// </summary>
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

    public async Task ForgetAsync()
    {
        if (state.State.Spec is null || !state.State.Finished) return;
        await LaneCalls.ForgetAllAsync(GrainFactory, this.GetPrimaryKeyString(), state.State.LaneDone.Length);
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}
