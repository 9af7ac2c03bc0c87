using MemristorGrid.Engine.Circuits;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Grains.Deployments;

/// <summary>The conditional-label encoder of a deployment: serves the engine's <see cref="LabelEncoder"/>
/// table, which every lane of the deployment drives into its embedding DACs.</summary>
public sealed class LabelEncoderGrain(DeploymentCache deployments) : Grain, ILabelEncoderGrain
{
    public async Task<LabelEmbeddings> GetEmbeddingsAsync()
    {
        var deployment = await deployments.GetAsync(GrainKeys.DeploymentOfLabels(this.GetPrimaryKeyString()), GrainFactory);
        var encoder = LabelEncoder.Of(deployment.Network)
            ?? throw new InvalidOperationException($"deployment {deployment.Id} is unconditional: it has no label encoder");
        return new LabelEmbeddings(WireFormat.Bytes<float>(encoder.Table), encoder.ClassNames.ToArray());
    }

    /// <summary>What a lane drives into its embedding DACs: the deployment's encoder, asked through its grain (none when unconditional).</summary>
    public static async Task<LabelEncoder?> FetchAsync(IGrainFactory grains, Deployment deployment)
    {
        if (!deployment.Network.IsConditional) return null;
        var embeddings = await grains.GetGrain<ILabelEncoderGrain>(GrainKeys.Labels(deployment.Id)).GetEmbeddingsAsync();
        return new LabelEncoder(WireFormat.Values<float>(embeddings.Table), embeddings.ClassNames, deployment.Network.HiddenWidth);
    }
}
