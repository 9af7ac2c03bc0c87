using MemristorGrid.GrainInterfaces;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Deployments;

/// <summary>Holds a deployment's definition (persisted, so a re-activated deployment still knows it)
/// and answers where its tiles run.</summary>
public sealed class DeploymentGrain(
    [PersistentState("deployment", Storage.Name)] IPersistentState<DeploymentState> state,
    DeploymentCache deployments) : Grain, IDeploymentGrain
{
    public async Task DefineAsync(DeploymentSpec spec)
    {
        string id = spec.Id();
        if (id != this.GetPrimaryKeyString()) throw new ArgumentException($"spec {id} defined on deployment {this.GetPrimaryKeyString()}");
        if (state.State.Spec is not null) return;
        state.State.Spec = spec;
        await state.WriteStateAsync();
    }

    public Task<DeploymentSpec> GetSpecAsync() =>
        state.State.Spec is { } spec ? Task.FromResult(spec)
            : throw new InvalidOperationException($"deployment {this.GetPrimaryKeyString()} is not defined");

    public async Task<TilePlacement[]> GetPlacementAsync()
    {
        var deployment = deployments.Get(await GetSpecAsync());
        var calls = Enumerable.Range(0, deployment.Plan.ChipCount).Select(c => GrainFactory.GetGrain<IChipGrain>(deployment.ChipKey(c)).DescribeAsync());
        var byTile = (await Task.WhenAll(calls)).SelectMany(p => p).ToDictionary(p => p.TileId);
        return deployment.Plan.Tiles.Select(t => byTile[t.Id]).ToArray();
    }

    public async Task<string> DescribePlanAsync() => deployments.Get(await GetSpecAsync()).Plan.Describe();
}

[GenerateSerializer, Alias("mg.DeploymentState")]
public sealed class DeploymentState
{
    [Id(0)] public DeploymentSpec? Spec { get; set; }
}
