using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Images;

namespace MemristorGrid.Engine.Latent;

/// <summary>
/// The data of latent diffusion: the posterior means μ(x) of the VAE's training images divided by the
/// latent scale, labelled by class (the authors' conditional notebook trains on such a file of
/// latents). Means, not posterior draws: measured on the 9-class digits VAE, draws z ~ q(z | x) overlap
/// the neighbouring classes (decoded-image accuracy of a score model trained on them 0.68 against 0.83
/// on means), because σ(x) is not small against the distance between class means.
/// </summary>
public static class LatentTask
{
    public static Dataset Load(string vaePath) => FromVae(VaeModel.Load(vaePath));

    /// <summary>Reads the VAE now (a bad file fails here) and returns the work of encoding its images, for a caller that does
    /// it meanwhile (a run encodes its reference while the job runs).</summary>
    public static Func<Dataset> Prepare(string vaePath)
    {
        var vae = VaeModel.Load(vaePath);
        return () =>
        {
            var data = FromVae(vae);
            // Encoding dropped the training images (188 MB of pixels for Fashion-MNIST): hand the memory back now, while the job
            // runs, rather than let the run's peak hold it beside what comes next (measured: +25 % peak RSS on a 40 000-sample run).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            return data;
        };
    }

    public static Dataset FromVae(VaeModel vae)
    {
        var images = vae.LoadImages(ImageSplit.Train);
        float[] latents = vae.EncodeMeans(images);
        float inverse = (float)(1.0 / vae.Prior.Scale);
        for (int i = 0; i < latents.Length; i++) latents[i] *= inverse;
        return new Dataset(vae.LatentDim, latents, images.Labels, vae.ClassNames);
    }
}
