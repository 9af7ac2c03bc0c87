using System.Globalization;
using MemristorGrid.Engine.Images;
using MemristorGrid.Engine.IO;
using MemristorGrid.Engine.Learning;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;

namespace MemristorGrid.Engine.Latent;

/// <summary>
/// A trained VAE with its latent prior, the images it was trained on (by name) and the classifier
/// that judges decoded images. On disk it is three standard ONNX files: <c>NAME.onnx</c> (the
/// decoder, the file users name; it carries all metadata), <c>NAME.encoder.onnx</c> and
/// <c>NAME.classifier.onnx</c> beside it.
/// </summary>
public sealed record VaeModel(
    DenseStack Encoder, float[] EncoderParameters,
    DenseStack Decoder, float[] DecoderParameters,
    LatentPrior Prior, int ImageWidth, int ImageHeight, IReadOnlyList<string> ClassNames,
    string Data, IReadOnlyList<int> DataClasses,
    ImageClassifier Classifier, IReadOnlyDictionary<string, string> Provenance)
{
    public const string DecoderRole = "vae-decoder", EncoderRole = "vae-encoder", ClassifierRole = "image-classifier";
    private const string P = "memgrid.vae.";

    public int LatentDim => Prior.LatentDim;
    public int PixelCount => ImageWidth * ImageHeight;

    /// <summary>The training images again: the data set and classes this VAE was trained on.</summary>
    public ImageSet LoadImages(ImageSplit split)
    {
        var all = ImageSources.Load(Data, split);
        return all.OnlyClasses(DataClasses);
    }

    /// <summary>Posterior means μ(x) of each image, in VAE latent units ([count × LatentDim]).</summary>
    public float[] EncodeMeans(ImageSet images) => Encode(images).Means;

    /// <summary>Posterior means μ(x) and log-variances log σ²(x) of each image, in VAE latent units ([count × LatentDim] each).</summary>
    public (float[] Means, float[] LogVariances) Encode(ImageSet images)
    {
        if (images.PixelCount != PixelCount)
            throw new UserInputException($"{images.Source}: images are {images.Width} × {images.Height}; this VAE takes {ImageWidth} × {ImageHeight}");
        int chunk = 256, l = LatentDim;
        var means = new float[images.Count * l];
        var logVariances = new float[images.Count * l];
        // Chunks in parallel, each through a pass of its own: every image's arithmetic is the same whichever thread runs it.
        Parallel.For(0, (images.Count + chunk - 1) / chunk, () => new DenseStackPass<float>(Encoder, chunk), (c, _, pass) =>
        {
            int start = c * chunk, n = Math.Min(chunk, images.Count - start);
            var moments = pass.Forward(EncoderParameters, images.Pixels.AsSpan(start * PixelCount, n * PixelCount), n);
            for (int i = 0; i < n; i++)
            {
                moments.Slice(i * 2 * l, l).CopyTo(means.AsSpan((start + i) * l, l));
                moments.Slice(i * 2 * l + l, l).CopyTo(logVariances.AsSpan((start + i) * l, l));
            }
            return pass;
        }, _ => { });
        return (means, logVariances);
    }

    /// <summary>Decoded images (pixels in [0, 1]) of latents in VAE units ([count × LatentDim]).</summary>
    public float[] Decode(ReadOnlySpan<float> latents, int count)
    {
        int chunk = 256;
        var pass = new DenseStackPass<float>(Decoder, chunk);
        var pixels = new float[count * PixelCount];
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            var logits = pass.Forward(DecoderParameters, latents.Slice(start * LatentDim, n * LatentDim), n);
            var dest = pixels.AsSpan(start * PixelCount, n * PixelCount);
            System.Numerics.Tensors.TensorPrimitives.Sigmoid(logits, dest);
        }
        return pixels;
    }

    public static string EncoderPath(string decoderPath) => SiblingPath(decoderPath, "encoder");
    public static string ClassifierPath(string decoderPath) => SiblingPath(decoderPath, "classifier");

    private static string SiblingPath(string decoderPath, string part)
    {
        string stem = decoderPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? decoderPath[..^5] : decoderPath;
        return $"{stem}.{part}.onnx";
    }

    /// <summary>Writes the three files; the decoder, which names the others, is written last.</summary>
    public void Save(string path)
    {
        string F(double v) => DiffusionMetadata.Format(v);
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        var shared = new List<(string, string)>
        {
            (P + "latent_dim", I(LatentDim)),
            (P + "class_names", string.Join(",", ClassNames)),
        };
        AtomicFile.WriteAllBytes(EncoderPath(path), DenseStackOnnx.ToBytes(Encoder, EncoderParameters, DenseStackHead.GaussianMoments, "image",
            [(DenseStackOnnx.MetaRole, EncoderRole), .. shared]));
        AtomicFile.WriteAllBytes(ClassifierPath(path), DenseStackOnnx.ToBytes(Classifier.Stack, Classifier.Parameters, DenseStackHead.LogitsAndFeatures, "image",
            [(DenseStackOnnx.MetaRole, ClassifierRole), (P + "class_names", string.Join(",", ClassNames)), (P + "classifier_test_accuracy", F(Classifier.TestAccuracy))]));
        List<(string, string)> meta =
        [
            (DenseStackOnnx.MetaRole, DecoderRole),
            .. shared,
            (P + "latent_scale", F(Prior.Scale)),
            (P + "prior_radius", F(Prior.Radius)),
            (P + "prior_means", string.Join(",", Prior.Means().Select(F))),
            (P + "image_width", I(ImageWidth)),
            (P + "image_height", I(ImageHeight)),
            (P + "data", Data),
            (P + "data_classes", string.Join(",", DataClasses.Select(I))),
            (P + "encoder", Path.GetFileName(EncoderPath(path))),
            (P + "classifier", Path.GetFileName(ClassifierPath(path))),
            (P + "classifier_test_accuracy", F(Classifier.TestAccuracy)),
        ];
        meta.AddRange(Provenance.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (OnnxNames.MetaProvenancePrefix + kv.Key, kv.Value)));
        AtomicFile.WriteAllBytes(path, DenseStackOnnx.ToBytes(Decoder, DecoderParameters, DenseStackHead.Sigmoid, "z", meta));
    }

    /// <summary>The VAE's three files: the decoder at <paramref name="path"/> and the encoder and classifier its metadata names beside it.</summary>
    public static string[] FilesOf(string path)
    {
        var (_, _, meta) = DenseStackOnnx.Read(path, DecoderRole);
        string dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string Get(string key) => meta.TryGetValue(P + key, out var v) ? v : throw new UserInputException($"{path}: metadata {P}{key} is missing");
        return [path, Path.Combine(dir, Get("encoder")), Path.Combine(dir, Get("classifier"))];
    }

    public static VaeModel Load(string path)
    {
        var (decoder, pd, meta) = DenseStackOnnx.Read(path, DecoderRole);
        string Get(string key) => meta.TryGetValue(P + key, out var v) ? v : throw new UserInputException($"{path}: metadata {P}{key} is missing");
        int Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new UserInputException($"{path}: metadata {P}{key} is not an integer ('{Get(key)}')");
        double Real(string key) => double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new UserInputException($"{path}: metadata {P}{key} is not a number ('{Get(key)}')");
        string dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var (encoder, pe, _) = DenseStackOnnx.Read(Path.Combine(dir, Get("encoder")), EncoderRole);
        var (classifierStack, pc, _) = DenseStackOnnx.Read(Path.Combine(dir, Get("classifier")), ClassifierRole);
        var names = Get("class_names").Split(',');
        var prior = new LatentPrior(Int("latent_dim"), names.Length, Real("prior_radius"), Real("latent_scale"));
        prior.Validate();
        int width = Int("image_width"), height = Int("image_height");
        if (decoder.InputWidth != prior.LatentDim || decoder.OutputWidth != width * height)
            throw new UserInputException($"{path}: the decoder maps {decoder.InputWidth} → {decoder.OutputWidth} values; its metadata says latent {prior.LatentDim}, {width} × {height} images");
        if (encoder.InputWidth != width * height || encoder.OutputWidth != 2 * prior.LatentDim)
            throw new UserInputException($"{Get("encoder")}: the encoder maps {encoder.InputWidth} → {encoder.OutputWidth} values; expected {width * height} → {2 * prior.LatentDim}");
        if (classifierStack.Layers.Count != 2 || classifierStack.InputWidth != width * height || classifierStack.OutputWidth != names.Length)
            throw new UserInputException($"{Get("classifier")}: the classifier does not take {width} × {height} images to {names.Length} classes");
        var dataClasses = Get("data_classes").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var provenance = meta.Where(kv => kv.Key.StartsWith(OnnxNames.MetaProvenancePrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[OnnxNames.MetaProvenancePrefix.Length..], kv => kv.Value);
        var classifier = new ImageClassifier(classifierStack, pc, Real("classifier_test_accuracy"));
        return new VaeModel(encoder, pe, decoder, pd, prior, width, height, names, Get("data"), dataClasses, classifier, provenance);
    }
}
