using MemristorGrid.Engine.Images;
using MemristorGrid.Engine.Learning;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Latent;

/// <summary>
/// The judge of generated images: an MLP (pixels → ReLU hidden → class logits) trained on real
/// images only. Its hidden activations are the feature space of the Fréchet distance.
/// </summary>
public sealed class ImageClassifier
{
    public ImageClassifier(DenseStack stack, float[] parameters, double testAccuracy = double.NaN)
    {
        if (stack.Layers.Count != 2) throw new ArgumentException("the classifier has one hidden layer");
        Stack = stack;
        Parameters = parameters;
        TestAccuracy = testAccuracy;
    }

    public DenseStack Stack { get; }
    public float[] Parameters { get; }
    public int FeatureWidth => Stack.Widths[1];
    public int Classes => Stack.OutputWidth;

    /// <summary>Accuracy on the real held-out images, when it was measured.</summary>
    public double TestAccuracy { get; init; }

    /// <summary>Predicted class and hidden features of each of the first <paramref name="count"/> images ([count × FeatureWidth]).</summary>
    public (int[] Predictions, float[] Features) Evaluate(float[] images, int count)
    {
        int px = Stack.InputWidth, chunk = 256, f = FeatureWidth;
        if (images.Length < count * px) throw new ArgumentException($"{images.Length} pixels for {count} images of {px}");
        var predictions = new int[count];
        var features = new float[count * f];
        // Chunks in parallel, each through a pass of its own: every image's arithmetic is its own row's (no sum runs across
        // images), so the features do not depend on the chunks or the threads. A large latent run's scoring judged its 40 000
        // images on one core while the other waited.
        Parallel.For(0, (count + chunk - 1) / chunk, () => new DenseStackPass<float>(Stack, chunk), (c, _, pass) =>
        {
            int start = c * chunk, n = Math.Min(chunk, count - start);
            var logits = pass.Forward(Parameters, images.AsSpan(start * px, n * px), n);
            pass.Hidden(1).CopyTo(features.AsSpan(start * f));
            for (int i = 0; i < n; i++)
                predictions[start + i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.Slice(i * Classes, Classes));
            return pass;
        }, _ => { });
        return (predictions, features);
    }

    public double Accuracy(ImageSet images)
    {
        var (predicted, _) = Evaluate(images.Pixels, images.Count);
        int right = 0;
        for (int i = 0; i < images.Count; i++) if (predicted[i] == images.Labels[i]) right++;
        return images.Count == 0 ? double.NaN : (double)right / images.Count;
    }
}

/// <summary>Softmax cross-entropy training of <see cref="ImageClassifier"/> with Adam (lr 1e-3, batch 64: our assumptions).</summary>
public static class ImageClassifierTrainer
{
    public static ImageClassifier Train(ImageSet train, int hidden, int epochs, ulong seed, IProgress<VaeProgress>? progress = null, CancellationToken cancel = default)
    {
        int px = train.PixelCount, classes = train.ClassNames.Count;
        var stack = new DenseStack([px, hidden, classes]);
        float[] p = Array.ConvertAll(stack.InitialParameters(Streams.Rng(seed, StreamPurpose.WeightInit, 3)), v => (float)v);
        var adam = new Adam<float>(p.Length, 1e-3);
        int batch = Math.Min(64, train.Count), halfCap = (batch + 1) / 2;
        var passes = new[] { new DenseStackPass<float>(stack, halfCap), new DenseStackPass<float>(stack, halfCap) };
        var grads = new[] { new float[p.Length], new float[p.Length] };
        var inputs = new[] { new float[halfCap * px], new float[halfCap * px] };
        var dLogits = new[] { new float[halfCap * classes], new float[halfCap * classes] };
        var losses = new double[2];
        int[] order = new int[train.Count];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            Training.Trainer.Shuffle(order, Streams.Rng(seed, StreamPurpose.Shuffle, 2, (ulong)epoch));
            double epochLoss = 0;
            int batches = 0;
            for (int start = 0; start + batch <= train.Count; start += batch)
            {
                int[] split = [batch / 2, batch - batch / 2];
                Parallel.For(0, 2, h =>
                {
                    int offset = start + (h == 0 ? 0 : split[0]), n = split[h];
                    var labels = new int[n];
                    for (int i = 0; i < n; i++)
                    {
                        train.Image(order[offset + i]).CopyTo(inputs[h].AsSpan(i * px, px));
                        labels[i] = train.Labels[order[offset + i]];
                    }
                    Array.Clear(grads[h]);
                    losses[h] = Accumulate(passes[h], p, inputs[h].AsSpan(0, n * px), labels, batch, dLogits[h], grads[h]);
                });
                for (int i = 0; i < p.Length; i++) grads[0][i] += grads[1][i];
                adam.Step(p, grads[0]);
                epochLoss += losses[0] + losses[1];
                batches++;
            }
            progress?.Report(new VaeProgress("classifier", epoch + 1, epochs, epochLoss / batches));
        }
        return new ImageClassifier(stack, p);
    }

    /// <summary>
    /// Softmax cross-entropy of the images' logits against their labels, as a share of a batch of
    /// <paramref name="batchCount"/> (mean over the batch); adds its gradient into <paramref name="gradient"/>.
    /// </summary>
    public static double Accumulate<T>(DenseStackPass<T> pass, ReadOnlySpan<T> p, ReadOnlySpan<T> images, ReadOnlySpan<int> labels,
        int batchCount, Span<T> dLogits, Span<T> gradient) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int n = labels.Length;
        var logits = pass.Forward(p, images, n);
        int classes = logits.Length / n;
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            var z = logits.Slice(i * classes, classes);
            double max = double.CreateChecked(System.Numerics.Tensors.TensorPrimitives.Max(z));
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp(double.CreateChecked(z[c]) - max);
            loss += Math.Log(sum) + max - double.CreateChecked(z[labels[i]]);
            for (int c = 0; c < classes; c++)
                dLogits[i * classes + c] = T.CreateChecked((Math.Exp(double.CreateChecked(z[c]) - max) / sum - (c == labels[i] ? 1 : 0)) / batchCount);
        }
        pass.Backward(p, dLogits[..(n * classes)], gradient);
        return loss / batchCount;
    }
}
