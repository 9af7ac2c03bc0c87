using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MemristorGrid.Engine.Latent;

/// <summary>The VAE decoder file run by ONNX Runtime: latents in score-model units are multiplied by the latent scale, then decoded.</summary>
public sealed class OnnxRuntimeDecoder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly VaeModel _vae;

    public OnnxRuntimeDecoder(string decoderPath, VaeModel vae)
    {
        _vae = vae;
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        try { _session = new InferenceSession(decoderPath, options); }
        catch (OnnxRuntimeException e) { throw new UserInputException($"{decoderPath}: ONNX Runtime cannot load the decoder ({e.Message})"); }
    }

    /// <summary>Images [count × pixels] in [0, 1] for latents [count × latent] in score-model units.</summary>
    public float[] Decode(ReadOnlySpan<float> latents, int count)
    {
        int l = _vae.LatentDim;
        var z = new float[count * l];
        float scale = (float)_vae.Prior.Scale;
        for (int i = 0; i < z.Length; i++) z[i] = latents[i] * scale;
        var input = new DenseTensor<float>(z, [count, l]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor("z", input)]);
        return results.First(r => r.Name == "image").AsEnumerable<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}
