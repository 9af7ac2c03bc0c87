using System.Numerics;
using MemristorGrid.Engine.Learning;

namespace MemristorGrid.Engine.Latent;

/// <summary>
/// The negative ELBO of a VAE with Bernoulli pixels and a class-conditional Gaussian prior, per image
/// (mean over the batch): Σ_pixels BCE(sigmoid(decoder(z)), x) + β·KL(N(μ, σ²) ‖ N(m_c, I)), with
/// z = μ + σ·ε (the reparameterisation trick, ε supplied by the caller so draws stay keyed), and its
/// hand-written gradient with respect to the encoder's and decoder's parameters.
/// </summary>
public sealed class VaeObjective<T>(DenseStack encoder, DenseStack decoder, int capacity) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>log σ² is clamped to ±this before exp, so a wild early step cannot overflow.</summary>
    public const double LogVarianceLimit = 12;

    private readonly int _latent = decoder.InputWidth;
    private readonly DenseStackPass<T> _enc = new(encoder, capacity);
    private readonly DenseStackPass<T> _dec = new(decoder, capacity);
    private readonly T[] _z = new T[capacity * decoder.InputWidth];
    private readonly T[] _dLogits = new T[capacity * decoder.OutputWidth];
    private readonly T[] _dz = new T[capacity * decoder.InputWidth];
    private readonly T[] _dMoments = new T[capacity * encoder.OutputWidth];

    public double ReconstructionLoss { get; private set; }
    public double KlLoss { get; private set; }

    /// <summary>
    /// Adds the gradient of images [start, end) (their share of a batch of <paramref name="batchCount"/>)
    /// into the gradients; returns their share of the loss.
    /// </summary>
    public double Accumulate(ReadOnlySpan<T> pEnc, ReadOnlySpan<T> pDec, ReadOnlySpan<float> images, ReadOnlySpan<int> labels,
        ReadOnlySpan<T> epsilon, ReadOnlySpan<double> priorMeans, double klWeight, int batchCount, Span<T> gEnc, Span<T> gDec)
    {
        int count = labels.Length, px = decoder.OutputWidth, l = _latent;
        T invB = T.One / T.CreateChecked(batchCount);
        Span<T> input = _dLogits.AsSpan(0, count * px);          // reused: image batch in T, then ∂/∂logits
        for (int i = 0; i < input.Length; i++) input[i] = T.CreateChecked(images[i]);
        var moments = _enc.Forward(pEnc, input, count);

        double kl = 0;
        for (int n = 0; n < count; n++)
            for (int j = 0; j < l; j++)
            {
                T mu = moments[n * 2 * l + j];
                T logVar = T.Clamp(moments[n * 2 * l + l + j], T.CreateChecked(-LogVarianceLimit), T.CreateChecked(LogVarianceLimit));
                T sigma = T.Exp(logVar / T.CreateChecked(2));
                _z[n * l + j] = mu + sigma * epsilon[n * l + j];
                double diff = double.CreateChecked(mu) - priorMeans[labels[n] * l + j];
                double var = double.CreateChecked(sigma * sigma);
                kl += 0.5 * (var + diff * diff - 1 - double.CreateChecked(logVar));
            }

        var logits = _dec.Forward(pDec, _z, count);
        double bce = 0;
        for (int i = 0; i < count * px; i++)
        {
            double a = double.CreateChecked(logits[i]);
            double x = images[i];
            // BCE with logits, stable form: max(a, 0) − a·x + log(1 + e^−|a|).
            bce += Math.Max(a, 0) - a * x + Math.Log(1 + Math.Exp(-Math.Abs(a)));
            input[i] = (T.CreateChecked(1 / (1 + Math.Exp(-a))) - T.CreateChecked(x)) * invB;
        }
        _dec.Backward(pDec, input, gDec, _dz.AsSpan(0, count * l));

        T beta = T.CreateChecked(klWeight) * invB, half = T.CreateChecked(0.5);
        for (int n = 0; n < count; n++)
            for (int j = 0; j < l; j++)
            {
                T mu = moments[n * 2 * l + j];
                T rawLogVar = moments[n * 2 * l + l + j];
                bool clamped = T.Abs(rawLogVar) > T.CreateChecked(LogVarianceLimit);
                T logVar = T.Clamp(rawLogVar, T.CreateChecked(-LogVarianceLimit), T.CreateChecked(LogVarianceLimit));
                T sigma = T.Exp(logVar * half);
                T dz = _dz[n * l + j];
                _dMoments[n * 2 * l + j] = dz + beta * (mu - T.CreateChecked(priorMeans[labels[n] * l + j]));
                _dMoments[n * 2 * l + l + j] = clamped ? T.Zero : dz * epsilon[n * l + j] * sigma * half + beta * half * (sigma * sigma - T.One);
            }
        _enc.Backward(pEnc, _dMoments.AsSpan(0, count * 2 * l), gEnc);

        ReconstructionLoss = bce / batchCount;
        KlLoss = kl / batchCount;
        return (bce + klWeight * kl) / batchCount;
    }
}
