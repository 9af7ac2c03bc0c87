using System.Runtime.InteropServices;
using MemristorGrid.GrainInterfaces;

namespace MemristorGrid.Grains.Deployments;

/// <summary>The conditional-label encoder: the trained one-hot → Linear → GELU → Linear embedding,
/// evaluated once per class into the constant voltages the controller's DACs drive.</summary>
public sealed class LabelEncoderGrain(DeploymentCache deployments) : Grain, ILabelEncoderGrain
{
    public async Task<LabelEmbeddings> GetEmbeddingsAsync()
    {
        string key = this.GetPrimaryKeyString();
        string depId = key[..key.IndexOf('/', StringComparison.Ordinal)];
        var deployment = await deployments.GetAsync(depId, GrainFactory);
        var table = deployment.Network.LabelTable ?? [];
        return new LabelEmbeddings(MemoryMarshal.AsBytes(table.AsSpan()).ToArray(), deployment.Network.ClassNames.ToArray());
    }
}
