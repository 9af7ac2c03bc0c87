using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Images;

namespace MemristorGrid.Engine.Latent;

/// <summary>The data of latent diffusion: posterior means of a VAE's images divided by its latent scale, labelled by class.</summary>
public static class LatentTask
{
    public static Dataset Load(string vaePath, ImageSplit split) => FromVae(VaeModel.Load(vaePath), split);

    public static Dataset FromVae(VaeModel vae, ImageSplit split)
    {
        var images = vae.LoadImages(split);
        float[] latents = vae.EncodeMeans(images);
        float inverse = (float)(1.0 / vae.Prior.Scale);
        for (int i = 0; i < latents.Length; i++) latents[i] *= inverse;
        return new Dataset(vae.LatentDim, latents, images.Labels, vae.ClassNames);
    }
}
