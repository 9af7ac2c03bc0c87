using System.CommandLine;
using System.Globalization;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Images;
using MemristorGrid.Engine.Latent;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>The options of <c>memgrid train-vae</c>.</summary>
internal sealed class TrainVaeArguments
{
    public readonly Option<string> Data = Required("--data", $"Images: {ImageSources.Digits} (UCI 8 × 8 handwritten digits, shipped), {ImageSources.FashionMnist} (28 × 28; apt-get install dataset-fashion-mnist), or a directory of MNIST-style IDX files.");
    public readonly Option<string?> Classes = new Option<string?>("--classes") { Description = "Classes to keep, by index or name, comma-separated (default: all), e.g. 0,1,2. Label k of the model is the k-th class named." };
    public readonly Option<string> Output = Required("--out", "Where to write the VAE decoder (.onnx); NAME.encoder.onnx and NAME.classifier.onnx are written beside it.");
    public readonly Option<int> Latent = Make("--latent", "Latent size (the authors: 2).", 2).Positive();
    public readonly Option<string> Hidden = Make("--hidden", "Hidden widths of encoder (decoder mirrored), comma-separated.", "128");
    public readonly Option<int> Epochs = Make("--epochs", "Passes over the training images.", 200).Positive();
    public readonly Option<int> Batch = Make("--batch-size", "Mini-batch size.", 64).Positive();
    public readonly Option<double> Lr = Make("--lr", "Adam learning rate.", 1e-3).Positive();
    public readonly Option<double> KlWeight = Make("--kl-weight", "β of the KL term (1 = the plain ELBO).", 1.0).NonNegative();
    public readonly Option<double> Radius = Make("--prior-radius", "Distance of each class's prior mean from the origin (the authors: 4).", LatentPrior.PaperRadius).Positive();
    public readonly Option<double> Scale = Make("--latent-scale", "The score model sees latent / scale (the authors: 8).", LatentPrior.PaperScale).Positive();
    public readonly Option<int> ClassifierHidden = Make("--classifier-hidden", "Hidden width of the metrics classifier (its features feed the Fréchet distance).", 64).Positive();
    public readonly Option<int> ClassifierEpochs = Make("--classifier-epochs", "Training passes of the metrics classifier.", 60).Positive();
    public readonly Option<ulong> Seed = Make<ulong>("--seed", "Seed for initialisation, batches and the reparameterisation noise.", 1);

    public IEnumerable<Option> All() => [Data, Classes, Output, Latent, Hidden, Epochs, Batch, Lr, KlWeight, Radius, Scale, ClassifierHidden, ClassifierEpochs, Seed];
}

/// <summary>
/// <c>memgrid train-vae</c>: the image VAE of the latent-diffusion task, with its class-conditional
/// prior, and the classifier that later judges decoded images — three ONNX files.
/// </summary>
internal static class TrainVaeCommand
{
    public static Command Create()
    {
        var a = new TrainVaeArguments();
        var command = new Command("train-vae", "Train an image VAE with a class-conditional latent prior (latent diffusion, as the paper's conditional task) and its metrics classifier.\nExample: memgrid train-vae --data digits --classes 0,1,2 --out models/my-digits-vae.onnx");
        foreach (var o in a.All()) command.Options.Add(o);
        command.SetAction(parse => Train(a, parse));
        return command;
    }

    private static int Train(TrainVaeArguments a, ParseResult parse)
    {
        string outPath = parse.GetValue(a.Output)!;
        RunOutputs.EnsureWritableFile(outPath);
        string dataSpec = parse.GetValue(a.Data)!;
        var train = ImageSources.Load(dataSpec, ImageSplit.Train);
        var test = ImageSources.Load(dataSpec, ImageSplit.Test);
        var chosen = parse.GetValue(a.Classes) is { } list
            ? train.ResolveClasses(list.Split(',', StringSplitOptions.RemoveEmptyEntries))
            : Enumerable.Range(0, train.ClassNames.Count).ToArray();
        train = train.OnlyClasses(chosen);
        test = test.OnlyClasses(chosen);
        var options = new VaeOptions
        {
            Latent = parse.GetValue(a.Latent),
            Hidden = ParseWidths(parse.GetValue(a.Hidden)!),
            Epochs = parse.GetValue(a.Epochs),
            BatchSize = parse.GetValue(a.Batch),
            LearningRate = parse.GetValue(a.Lr),
            KlWeight = parse.GetValue(a.KlWeight),
            PriorRadius = parse.GetValue(a.Radius),
            LatentScale = parse.GetValue(a.Scale),
            ClassifierHidden = parse.GetValue(a.ClassifierHidden),
            ClassifierEpochs = parse.GetValue(a.ClassifierEpochs),
            Seed = parse.GetValue(a.Seed),
        };
        options.Validate(chosen.Count);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string canonicalData = dataSpec.Equals(ImageSources.Digits, StringComparison.OrdinalIgnoreCase) || dataSpec.Equals(ImageSources.FashionMnist, StringComparison.OrdinalIgnoreCase)
            ? dataSpec.ToLowerInvariant() : Path.GetFullPath(dataSpec);
        var vae = ConsoleProgress.RunWithStatus($"training VAE on {train.Count} {dataSpec} images ({options.Epochs} epochs, then the classifier)", parse.InvocationConfiguration.Error, progress =>
            VaeTrainer.Train(train, test, options, canonicalData, chosen, new StageProgress(progress, options)));
        double accuracy = vae.Classifier.TestAccuracy;
        vae.Save(outPath);

        var o = parse.InvocationConfiguration.Output;
        var p = vae.Provenance;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained VAE: {train.Count} images {train.Width} × {train.Height}, classes {string.Join(", ", train.ClassNames)}; latent {options.Latent} (prior radius {vae.Prior.Radius:G4}, scale {vae.Prior.Scale:G4}), hidden {string.Join(",", options.Hidden)}; " +
            $"{options.Epochs} epochs in {clock.Elapsed.TotalSeconds:F1} s"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"final loss per image {double.Parse(p["train.final_loss"], CultureInfo.InvariantCulture):F2} (reconstruction {double.Parse(p["train.final_reconstruction"], CultureInfo.InvariantCulture):F2}, KL {double.Parse(p["train.final_kl"], CultureInfo.InvariantCulture):F2} nats)"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"metrics classifier: accuracy {accuracy:F3} on {test.Count} held-out real images"));
        o.WriteLine($"wrote {outPath}, {VaeModel.EncoderPath(outPath)}, {VaeModel.ClassifierPath(outPath)}");
        return 0;
    }

    private static int[] ParseWidths(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1)
                throw UserInputException.ForSetting("hidden", $"must be positive widths separated by commas (got '{text}')");
        if (widths.Length == 0) throw UserInputException.ForSetting("hidden", "must name at least one width");
        return widths;
    }

    /// <summary>The VAE's epochs, then the classifier's, as one bar.</summary>
    private sealed class StageProgress(IProgress<(double, string)> inner, VaeOptions o) : IProgress<VaeProgress>
    {
        public void Report(VaeProgress value)
        {
            double total = o.Epochs + o.ClassifierEpochs;
            double done = value.Stage == "vae" ? value.Epoch : o.Epochs + value.Epoch;
            inner.Report((done / total, string.Create(CultureInfo.InvariantCulture,
                $"{value.Stage} epoch {value.Epoch}/{(value.Stage == "vae" ? o.Epochs : o.ClassifierEpochs)}, loss {value.Loss:F4}")));
        }
    }
}
