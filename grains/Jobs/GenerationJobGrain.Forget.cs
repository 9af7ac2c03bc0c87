using Orleans.Runtime;

namespace MemristorGrid.Grains.Jobs;

/// <summary>A finished job keeps nothing in the store once its result is delivered: its own state and
/// every lane's checkpoint (about 12.6 kB per ring lane) are deleted.</summary>
public sealed partial class GenerationJobGrain
{
    public async Task ForgetAsync()
    {
        if (state.State.Spec is null || !state.State.Finished) return;
        await LaneCalls.ForgetAllAsync(GrainFactory, this.GetPrimaryKeyString(), state.State.LaneDone.Length);
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    // A finished job whose client vanished before fetching its result is collected idle; its checkpoints go with it.
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        reason.ReasonCode == DeactivationReasonCode.ActivationIdle ? ForgetAsync() : Task.CompletedTask;
}
