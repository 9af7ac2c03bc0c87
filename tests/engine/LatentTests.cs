using System.IO.Compression;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Images;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Learning;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Randomness;
using MemristorGrid.Engine.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MemristorGrid.Engine.Tests;

public class LatentTests
{
    private static double[] Random(int n, ulong stream, double scale = 1)
    {
        var rng = Streams.Rng(7, StreamPurpose.Reference, 40, stream);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * rng.Gaussian((ulong)i);
        return v;
    }

    /// <summary>Central differences of <paramref name="loss"/> at every parameter against <paramref name="analytic"/>.</summary>
    private static double MaxRelativeError(double[] p, double[] analytic, Func<double> loss)
    {
        const double h = 1e-6;
        double max = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double saved = p[i];
            p[i] = saved + h; double up = loss();
            p[i] = saved - h; double down = loss();
            p[i] = saved;
            double numeric = (up - down) / (2 * h);
            max = Math.Max(max, Math.Abs(numeric - analytic[i]) / Math.Max(1e-4, Math.Abs(numeric) + Math.Abs(analytic[i])));
        }
        return max;
    }

    [Fact]
    public void Dense_stack_gradients_agree_with_finite_differences()
    {
        var stack = new DenseStack([5, 7, 6, 3]);
        int n = 4;
        double[] p = stack.InitialParameters(Streams.Rng(3, StreamPurpose.WeightInit));
        double[] x = Random(n * 5, 1), weights = Random(n * 3, 2);
        var pass = new DenseStackPass<double>(stack, n);
        double Loss()
        {
            var y = pass.Forward(p, x, n);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += weights[i] * y[i] + 0.5 * y[i] * y[i];
            return s;
        }
        Loss();
        var y = pass.Output.ToArray();
        var dy = new double[y.Length];
        for (int i = 0; i < y.Length; i++) dy[i] = weights[i] + y[i];
        var grad = new double[p.Length];
        var dx = new double[x.Length];
        pass.Backward(p, dy, grad, dx);
        Assert.True(MaxRelativeError(p, grad, Loss) < 1e-6);
        Assert.True(MaxRelativeError(x, dx, Loss) < 1e-6, "input gradient");
        Assert.Contains(grad, g => g != 0);
    }

    [Fact]
    public void Vae_gradients_agree_with_finite_differences()
    {
        int px = 6, l = 2, n = 5, classes = 3;
        var encoder = new DenseStack([px, 4, 2 * l]);
        var decoder = new DenseStack([l, 4, px]);
        double[] pe = encoder.InitialParameters(Streams.Rng(1, StreamPurpose.WeightInit, 1));
        double[] pd = decoder.InitialParameters(Streams.Rng(1, StreamPurpose.WeightInit, 2));
        var rng = Streams.Rng(2, StreamPurpose.Reference, 41);
        float[] images = Enumerable.Range(0, n * px).Select(i => (float)rng.Uniform((ulong)i)).ToArray();
        int[] labels = [0, 1, 2, 1, 0];
        double[] eps = Random(n * l, 3);
        double[] means = new LatentPrior(l, classes, 4, 8).Means();
        var objective = new VaeObjective<double>(encoder, decoder, n);
        double Loss() => objective.Accumulate(pe, pd, images, labels, eps, means, 0.7, n, new double[pe.Length], new double[pd.Length]);
        var ge = new double[pe.Length];
        var gd = new double[pd.Length];
        objective.Accumulate(pe, pd, images, labels, eps, means, 0.7, n, ge, gd);
        double encoderError = MaxRelativeError(pe, ge, Loss), decoderError = MaxRelativeError(pd, gd, Loss);
        Assert.True(encoderError < 1e-5 && decoderError < 1e-5, $"max relative error: encoder {encoderError}, decoder {decoderError}");
    }

    [Fact]
    public void Classifier_gradients_agree_with_finite_differences()
    {
        var stack = new DenseStack([6, 5, 3]);
        int n = 4;
        double[] p = stack.InitialParameters(Streams.Rng(4, StreamPurpose.WeightInit));
        double[] x = Random(n * 6, 4);
        int[] labels = [2, 0, 1, 2];
        var pass = new DenseStackPass<double>(stack, n);
        var dLogits = new double[n * 3];
        double Loss() => ImageClassifierTrainer.Accumulate(pass, p, x, labels, n, dLogits, new double[p.Length]);
        var grad = new double[p.Length];
        ImageClassifierTrainer.Accumulate(pass, p, x, labels, n, dLogits, grad);
        Assert.True(MaxRelativeError(p, grad, Loss) < 1e-6);
    }

    [Fact]
    public void The_prior_places_classes_as_the_authors_do()
    {
        var m = new LatentPrior(2, 3, 4, 8).Means();
        // 60°, 180°, 300° on a circle of radius 4 (their plot, divided by 8: (0.25, ±0.43), (−0.5, 0)).
        Assert.Equal(2.0, m[0], 12); Assert.Equal(4 * Math.Sin(Math.PI / 3), m[1], 12);
        Assert.Equal(-4.0, m[2], 12); Assert.Equal(0.0, m[3], 12);
        Assert.Equal(2.0, m[4], 12); Assert.Equal(-4 * Math.Sin(Math.PI / 3), m[5], 12);
        var cross = new LatentPrior(8, 10, 4, 8).Means();
        for (int a = 0; a < 10; a++)
            for (int b = a + 1; b < 10; b++)
                Assert.True(Enumerable.Range(0, 8).Sum(j => Math.Pow(cross[a * 8 + j] - cross[b * 8 + j], 2)) >= 32 - 1e-9);
        var e = Assert.Throws<UserInputException>(() => new LatentPrior(3, 7, 4, 8).Validate());
        Assert.Equal("latent", e.Setting);
    }

    [Fact]
    public void Frechet_distance_matches_the_closed_form_for_gaussians()
    {
        int n = 40_000, d = 3;
        var rng = Streams.Rng(5, StreamPurpose.Reference, 42);
        var a = new float[n * d];
        var b = new float[n * d];
        double[] stdB = [2, 0.5, 1];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                a[i * d + j] = (float)rng.Gaussian((ulong)(i * d + j));
                b[i * d + j] = (float)((j == 0 ? 1.0 : 0.0) + stdB[j] * rng.Gaussian((ulong)(1_000_000 + i * d + j)));
            }
        // Diagonal covariances: ‖Δμ‖² + Σ (σa − σb)² = 1 + 1 + 0.25 + 0.
        Assert.Equal(2.25, FrechetDistance.Compute(a, n, b, n, d), 1);
        Assert.True(FrechetDistance.Compute(a, n, a, n, d) < 1e-6);
        // A full (non-diagonal) matrix: the Jacobi square root squares back to it.
        double[] s = [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2];
        var root = FrechetDistance.SymmetricFunction(s, 3, Math.Sqrt);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(s[i * 3 + j], Enumerable.Range(0, 3).Sum(k => root[i * 3 + k] * root[k * 3 + j]), 10);
    }

    private static VaeModel TinyDigitsVae(int epochs = 20) =>
        VaeTrainer.Train(ImageSources.LoadDigits(ImageSplit.Train).OnlyClasses([0, 1, 2]), ImageSources.LoadDigits(ImageSplit.Test).OnlyClasses([0, 1, 2]),
            new VaeOptions { Epochs = epochs, ClassifierEpochs = 20, Hidden = [32], ClassifierHidden = 16, Seed = 3 }, "digits", [0, 1, 2]);

    [Fact]
    public void Vae_files_round_trip_and_onnx_runtime_agrees_with_the_engine()
    {
        var vae = TinyDigitsVae();
        string dir = Directory.CreateTempSubdirectory("memgrid-vae-").FullName;
        try
        {
            string path = Path.Combine(dir, "tiny.onnx");
            vae.Save(path);
            var loaded = VaeModel.Load(path);
            Assert.Equal(vae.DecoderParameters, loaded.DecoderParameters);
            Assert.Equal(vae.EncoderParameters, loaded.EncoderParameters);
            Assert.Equal(vae.Classifier.Parameters, loaded.Classifier.Parameters);
            Assert.Equal(vae.Prior, loaded.Prior);
            Assert.Equal(["0", "1", "2"], loaded.ClassNames);

            var images = loaded.LoadImages(ImageSplit.Test);
            int n = images.Count, px = images.PixelCount;
            float[] means = loaded.EncodeMeans(images);
            float[] decoded = loaded.Decode(means, n);
            using var decoder = new OnnxRuntimeDecoder(path, loaded);
            float[] scaled = means.Select(v => v / (float)loaded.Prior.Scale).ToArray();
            AssertClose(decoded, decoder.Decode(scaled, n), 1e-5);

            using var encoder = new InferenceSession(VaeModel.EncoderPath(path));
            using (var outputs = encoder.Run([NamedOnnxValue.CreateFromTensor("image", new DenseTensor<float>(images.Pixels, [n, px]))]))
                AssertClose(means, outputs.First(o => o.Name == "mean").AsEnumerable<float>().ToArray(), 1e-5);

            using var classifier = new InferenceSession(VaeModel.ClassifierPath(path));
            var (_, features) = loaded.Classifier.Evaluate(images.Pixels, n);
            using (var outputs = classifier.Run([NamedOnnxValue.CreateFromTensor("image", new DenseTensor<float>(images.Pixels, [n, px]))]))
                AssertClose(features, outputs.First(o => o.Name == "features").AsEnumerable<float>().ToArray(), 1e-5);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void The_judge_classifies_each_image_alone_whatever_the_chunks_and_threads()
    {
        int px = 784, hidden = 32, classes = 10, count = 700; // three chunks of 256, evaluated in parallel
        var stack = new DenseStack([px, hidden, classes]);
        var classifier = new ImageClassifier(stack, Array.ConvertAll(stack.InitialParameters(Streams.Rng(5, StreamPurpose.WeightInit, 3)), v => (float)v));
        var images = new float[count * px];
        Streams.Rng(6, StreamPurpose.WeightInit, 4).FillUniform(images, 0, 1);
        var (predicted, features) = classifier.Evaluate(images, count);
        for (int i = 0; i < count; i += 37)
        {
            var (one, alone) = classifier.Evaluate(images[(i * px)..((i + 1) * px)], 1);
            Assert.Equal(predicted[i], one[0]);
            Assert.Equal(features[(i * hidden)..((i + 1) * hidden)], alone); // bit for bit
        }
        Assert.Equal(features, classifier.Evaluate(images, count).Features);
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / Math.Max(1, Math.Abs(expected[i])));
        Assert.True(worst <= tolerance, $"largest difference {worst}");
    }

    [Fact]
    public void Vae_training_is_a_pure_function_of_the_seed()
    {
        var a = TinyDigitsVae(3);
        var b = TinyDigitsVae(3);
        Assert.Equal(a.DecoderParameters, b.DecoderParameters);
        Assert.Equal(a.Classifier.Parameters, b.Classifier.Parameters);
    }

    [Fact]
    public void A_trained_latent_model_beats_an_untrained_one_on_decoded_images()
    {
        var vae = TinyDigitsVae(epochs: 100);
        var latents = LatentTask.FromVae(vae);
        var options = new TrainingOptions { Epochs = 1500, Seed = 2, SaturationPenalty = 3e-6, SamplingScheduleScale = 1.5 };
        var trained = new Trainer(options).Train(latents, new DiffusionMetadata()).Network;
        var untrained = new Trainer(options with { Epochs = 1, LearningRate = 1e-12 }).Train(latents, new DiffusionMetadata()).Network;
        const int perClass = 150;
        int[] labels = Enumerable.Range(0, 3 * perClass).Select(i => i / perClass).ToArray();
        double Accuracy(ScoreNetwork net)
        {
            var model = new NetworkScoreModel(net);
            var result = DigitalSampler.Sample(model, net.Metadata.CreateSde(), labels.Length, labels,
                new SamplerOptions { Steps = 300, ScheduleScale = 1.5, Seed = 4 });
            var decoded = vae.Decode(result.Samples.Select(v => v * (float)vae.Prior.Scale).ToArray(), labels.Length);
            var (predicted, _) = vae.Classifier.Evaluate(decoded, labels.Length);
            return predicted.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;
        }
        double good = Accuracy(trained), bad = Accuracy(untrained);
        // Four standard errors of the difference of two proportions at p = ½ (the widest): ≈ 0.13 for 450 samples each.
        double margin = 4 * Math.Sqrt(2 * 0.25 / labels.Length);
        Assert.True(good - bad > margin, $"trained {good:F3}, untrained {bad:F3}, margin {margin:F3}");
        Assert.True(vae.Classifier.Accuracy(ImageSources.LoadDigits(ImageSplit.Test).OnlyClasses([0, 1, 2])) > 0.9);
    }

    private static string WriteIdx(string dir, string name, int magic, int[] dims, int valueBytes)
    {
        string path = Path.Combine(dir, name);
        using var s = File.Create(path);
        void Int(int v) { s.WriteByte((byte)(v >> 24)); s.WriteByte((byte)(v >> 16)); s.WriteByte((byte)(v >> 8)); s.WriteByte((byte)v); }
        Int(magic);
        foreach (var d in dims) Int(d);
        for (int i = 0; i < valueBytes; i++) s.WriteByte((byte)(i % 3));
        return path;
    }

    [Fact]
    public void Bad_idx_files_give_one_clear_error()
    {
        string dir = Directory.CreateTempSubdirectory("memgrid-idx-").FullName;
        try
        {
            var wrongMagic = WriteIdx(dir, "a", 0x00000801, [2, 4, 4], 32);
            Assert.Contains("not an IDX images file (magic number 0x00000801; expected 0x00000803)", Assert.Throws<UserInputException>(() => IdxFile.Read(wrongMagic, 3)).Message);
            var truncated = WriteIdx(dir, "b", 0x00000803, [3, 4, 4], 40);
            Assert.Contains("truncated: the header promises 3 × 4 × 4 = 48 values, the file holds 40", Assert.Throws<UserInputException>(() => IdxFile.Read(truncated, 3)).Message);
            var tiny = Path.Combine(dir, "c");
            File.WriteAllBytes(tiny, [0, 0]);
            Assert.Contains("only 2 bytes", Assert.Throws<UserInputException>(() => IdxFile.Read(tiny, 3)).Message);
            var images = WriteIdx(dir, "train-images-idx3-ubyte", 0x00000803, [3, 4, 4], 48);
            var labels = WriteIdx(dir, "train-labels-idx1-ubyte", 0x00000801, [2], 2);
            Assert.Contains("2 labels for the 3 images", Assert.Throws<UserInputException>(() => ImageSources.Load(dir, ImageSplit.Train)).Message);
            WriteIdx(dir, "train-labels-idx1-ubyte", 0x00000801, [3], 3);
            var set = ImageSources.Load(dir, ImageSplit.Train);
            Assert.Equal((4, 4, 3), (set.Width, set.Height, set.Count));
            // A gzip-compressed file is read by its content.
            using (var gz = new GZipStream(File.Create(Path.Combine(dir, "t10k-images-idx3-ubyte.gz")), CompressionLevel.Fastest))
                gz.Write(File.ReadAllBytes(images));
            File.Copy(Path.Combine(dir, "train-labels-idx1-ubyte"), Path.Combine(dir, "t10k-labels-idx1-ubyte"));
            Assert.Equal(3, ImageSources.Load(dir, ImageSplit.Test).Count);
            // Images of the wrong size for a VAE.
            var vae = TinyDigitsVae(1);
            Assert.Contains("images are 4 × 4; this VAE takes 8 × 8", Assert.Throws<UserInputException>(() => vae.EncodeMeans(set)).Message);
            Assert.Contains("unknown image data", Assert.Throws<UserInputException>(() => ImageSources.Load(Path.Combine(dir, "no-such-dir"), ImageSplit.Test)).Message);
            File.Delete(Path.Combine(dir, "t10k-labels-idx1-ubyte"));
            Assert.Contains("no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz", Assert.Throws<UserInputException>(() => ImageSources.Load(dir, ImageSplit.Test)).Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Digits_are_vendored_with_a_fixed_split()
    {
        var train = ImageSources.LoadDigits(ImageSplit.Train);
        var test = ImageSources.LoadDigits(ImageSplit.Test);
        Assert.Equal(1797, train.Count + test.Count);
        Assert.Equal(360, test.Count);
        Assert.All(train.Pixels, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(10, train.ClassNames.Count);
        var some = train.OnlyClasses(train.ResolveClasses(["7", "3"]));
        Assert.Equal(["7", "3"], some.ClassNames);
        Assert.All(some.Labels, l => Assert.InRange(l, 0, 1));
        Assert.Contains("unknown class 'x'", Assert.Throws<UserInputException>(() => train.ResolveClasses(["1", "x"])).Message);
    }

    /// <summary>The shipped large latent model is a multi-chip workload: ≥ 48 tiles on ≥ 4 chips with 64 × 64 tiles.</summary>
    [Fact]
    public void The_large_latent_model_spans_many_chips()
    {
        var net = OnnxImporter.Load(TestNetworks.ModelPath("fashion.onnx"));
        var profile = Profiles.HardwareProfile.Resolve("rram-180nm");
        Assert.Equal((64, 64), (profile.Mapping.TileRows, profile.Mapping.TileCols));
        var plan = Partitioning.DeploymentPlan.Create(net, profile.Mapping);
        Assert.True(plan.Tiles.Count >= 48, $"{plan.Tiles.Count} tiles");
        Assert.True(plan.ChipCount >= 4, $"{plan.ChipCount} chips");
        Assert.Equal(10, net.ClassCount);
        Assert.True(net.InputDim >= 8 && net.HiddenWidth >= 256 && net.HiddenLayers >= 3);
        Assert.StartsWith("latent:", net.Metadata.Task);
    }

    /// <summary>Scores that cross a chip boundary pass the ADC; values beyond its full scale are clipped and counted (one chip: no ADC, nothing counted).</summary>
    [Fact]
    public void Score_clipping_at_the_integrators_adc_is_counted()
    {
        var profile = Profiles.HardwareProfile.Resolve("rram-180nm");
        var large = OnnxImporter.Load(TestNetworks.ModelPath("fashion.onnx"));
        var options = new Simulation.AnalogRunOptions { ScheduleScale = large.Metadata.SamplingScheduleScale, Seed = 2 };
        var clipped = Simulation.ReferenceSimulator.Run(large, profile, options, 3, [0, 4, 9]);
        Assert.True(clipped.Counters.ScoreAdcOverflows > 0);
        var ring = OnnxImporter.Load(TestNetworks.ModelPath("ring.onnx"));
        var oneChip = Simulation.ReferenceSimulator.Run(ring, profile, options with { ScheduleScale = 2 }, 20, []);
        Assert.Equal(0, oneChip.Counters.ScoreAdcOverflows);
    }

    /// <summary>A tile whose inputs arrive from another chip and whose outputs leave for one: values beyond the ADC's full scale are counted where they are clipped.</summary>
    [Fact]
    public void Tile_adc_clipping_between_chips_is_counted()
    {
        var profile = Profiles.HardwareProfile.Resolve("rram-180nm");
        double fullScaleUnits = profile.Adc.FullScaleVolts / profile.Signal.VoltsPerUnit;
        var plan = new Partitioning.TilePlan(0, 0, 0, 0, 0, 2, 0, 1, Chip: 0, HomeChip: 1, BiasRow: -1,
            DigitisedRows: [true, false], RowSourceChips: [1, 0], DigitisedOutputs: true);
        double g = profile.Device.GMinMicrosiemens * 1e-6, gmax = profile.Device.GMaxMicrosiemens * 1e-6;
        // Weights +1 and +1 (full window on G⁺), column scale 1 weight unit per window.
        var tile = new Crossbars.CrossbarTile(plan, [gmax, gmax], [g, g], [1f], profile with { Device = profile.Device with { ReadNoiseSigma = 0 } });
        float[] inputs = [(float)(2 * fullScaleUnits), 0.5f];  // row 0 arrives over the link: its ADC clips it
        float[] outputs = new float[1];
        var e = tile.Evaluate(inputs, outputs, 1, new Crossbars.ReadContext(1, 0, 0, 0));
        Assert.True(e.AdcOverflows >= 1, $"ADC overflows {e.AdcOverflows}");
        float[] small = [0.1f, 0.1f];
        Assert.Equal(0, tile.Evaluate(small, outputs, 1, new Crossbars.ReadContext(1, 0, 0, 0)).AdcOverflows);
    }
}
