using System.CommandLine;
using System.Globalization;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.IO;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Training;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>The options of <c>memgrid train</c>.</summary>
internal sealed class TrainArguments
{
    public readonly Option<string> Task = Required("--task", "Training data: ring, hku, gmm16, csv:PATH (columns x1..xD, optional label), or latent:VAE.onnx (the latents of a VAE's training images, from train-vae).");
    public readonly Option<string> Output = Required("--out", "Where to write the trained model (.onnx).");
    public readonly Option<int?> Epochs = Optional<int>("--epochs", "Passes over the training set (default: the paper's, 10000 unconditional / 3000 conditional).").PositiveIfSet();
    public readonly Option<int> Hidden = Make("--hidden", "Hidden width H (even: K = H/2 time frequencies give H sin/cos channels).", 14).Positive();
    public readonly Option<int> Layers = Make("--layers", "Number of hidden layers.", 2).Positive();
    public readonly Option<double?> NoiseStd = Optional<double>("--noise-std", "The paper's hardware-aware weight noise: σ of the multiplicative ε on every forward pass (default 0.1, or 0 with --for-profile; 0 disables).").NonNegativeIfSet();
    public readonly Option<string?> ForProfile = new("--for-profile") { Description = $"Train for a hardware profile ({string.Join(", ", HardwareProfile.Presets)} or PATH.json): every step programs a fresh chip of it (mapping, levels, write-verify, relaxation, faults, drift, wires) and runs the batch through that chip's weights, read noise, rails and embedding DACs. Default: the paper's recipe alone." };
    public readonly Option<string[]> Set = CommandOptions.ProfileSettings("--for-profile");
    public readonly Option<double?> WeightClip = Optional<double>("--weight-clip", "Clip each layer's weights and biases to ±K standard deviations of the layer after every update (aihwkit's weight clipping: no outlier sets the layer's conductance scale). Default: no clipping.").PositiveIfSet();
    public readonly Option<double> NoiseLimit = Make("--noise-limit", "Draws with |ε| ≥ limit are replaced by a uniform draw in [−limit, limit].", 0.2).Positive();
    public readonly Option<ulong> Seed = Make<ulong>("--seed", "Seed for data, initialisation, batches and noise (the run is a pure function of it).", 1);
    public readonly Option<int> Batch = Make("--batch-size", "Mini-batch size.", 512).Positive();
    public readonly Option<double> Lr = Make("--lr", "Adam learning rate.", 2e-4).Positive();
    public readonly Option<double?> WeightDecay = Optional<double>("--weight-decay", "L2 weight decay (Adam's weight_decay; default 1e-4, the authors' training default).");
    public readonly Option<double?> Penalty = Optional<double>("--saturation-penalty", "α of the activation-saturation penalty (default 1e-7 unconditional, 3e-6 conditional).");
    public readonly Option<double?> Saturation = Optional<double>("--saturation", "Hard saturation level of the hidden ReLU (default: none).").PositiveIfSet();
    public readonly Option<double> Gain = Make("--output-gain", "Output gain of the network.", 5.0).Positive();
    public readonly Option<double> Ema = Make("--ema", "EMA decay of the exported weights.", 0.95).NonNegative();
    public readonly Option<double> Dropout = Make("--label-dropout", "Fraction of labels replaced by the null label (classifier-free guidance).", 0.1).NonNegative();
    public readonly Option<double?> ScheduleScale = Optional<double>("--schedule-scale", "β scale the sampler uses by default (default 2 unconditional, 1.5 conditional).").PositiveIfSet();
    public readonly Option<double> FreqScale = Make("--time-frequency-scale", "σ of the random time frequencies ω ~ N(0, σ²).", 1.0).Positive();
    public readonly Option<double> BetaMin = Make("--beta-min", "β₀ of the VP-SDE schedule β(t) = β₀ + t(β₁ − β₀).", 0.001).NonNegative();
    public readonly Option<double> BetaMax = Make("--beta-max", "β₁ of the VP-SDE schedule (the paper: 0.5).", 0.5).Positive();

    public IEnumerable<Option> All() => [Task, Output, Epochs, Hidden, Layers, NoiseStd, ForProfile, Set, WeightClip, NoiseLimit, Seed, Batch, Lr, WeightDecay, Penalty, Saturation, Gain, Ema, Dropout, ScheduleScale, FreqScale, BetaMin, BetaMax];
}

/// <summary><c>memgrid train</c>: hardware-aware denoising score matching, written as ONNX.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var a = new TrainArguments();
        var command = new Command("train", "Train a score network (the paper's hardware-aware recipe) and export it to ONNX.\nExample: memgrid train --task ring --epochs 2000 --out models/my-ring.onnx");
        foreach (var o in a.All()) command.Options.Add(o);
        command.SetAction(parse => Train(a, parse));
        return command;
    }

    private static int Train(TrainArguments a, ParseResult parse)
    {
        var spec = TaskSpec.Parse(parse.GetValue(a.Task)!);
        string outPath = parse.GetValue(a.Output)!;
        ulong s = parse.GetValue(a.Seed);
        var settings = parse.GetValue(a.Set) ?? [];
        if (settings.Length > 0 && parse.GetValue(a.ForProfile) is null)
            throw UserInputException.ForSetting("set", "changes the profile of --for-profile, which is not given");
        var profile = parse.GetValue(a.ForProfile) is { } forProfile ? HardwareProfile.Resolve(forProfile, "for_profile").Apply(settings) : null;
        // The model records the profile it was trained for by name, with any keys changed on the command line.
        if (profile is not null && settings.Length > 0) profile = profile with { Name = $"{profile.Name} with {string.Join(", ", settings)}" };
        var data = spec.LoadTraining(s);
        bool conditional = data.IsLabelled;
        var options = new TrainingOptions
        {
            Epochs = parse.GetValue(a.Epochs) ?? (conditional ? 3000 : 10_000),
            HiddenWidth = parse.GetValue(a.Hidden),
            HiddenLayers = parse.GetValue(a.Layers),
            NoiseStd = parse.GetValue(a.NoiseStd) ?? (profile is null ? 0.1 : 0.0),
            Profile = profile,
            WeightClip = parse.GetValue(a.WeightClip),
            NoiseLimit = parse.GetValue(a.NoiseLimit),
            Seed = s,
            BatchSize = parse.GetValue(a.Batch),
            LearningRate = parse.GetValue(a.Lr),
            WeightDecay = parse.GetValue(a.WeightDecay) ?? 1e-4,
            SaturationPenalty = parse.GetValue(a.Penalty) ?? (conditional ? 3e-6 : 1e-7),
            Saturation = parse.GetValue(a.Saturation),
            OutputGain = parse.GetValue(a.Gain),
            EmaDecay = parse.GetValue(a.Ema),
            LabelDropout = parse.GetValue(a.Dropout),
            SamplingScheduleScale = parse.GetValue(a.ScheduleScale) ?? (conditional ? 1.5 : 2.0),
            TimeFrequencyScale = parse.GetValue(a.FreqScale),
            BetaMin = parse.GetValue(a.BetaMin),
            BetaMax = parse.GetValue(a.BetaMax),
        };
        options.Validate();
        long h = options.HiddenWidth, d = data.Dim;
        MemoryBudget.RequireParameters((d + 1) * h + (options.HiddenLayers - 1) * (h + 1) * h + (h + 1) * d + (data.ClassNames.Count + 1) * h, "hidden");
        RunOutputs.EnsureWritableFile(outPath);
        var metadata = new DiffusionMetadata
        {
            Task = spec.MetadataNameFor(outPath),
            TaskSha256 = spec.IsCsv ? CsvDataset.Sha256(spec.CsvPath!) : spec.IsLatent ? CsvDataset.Sha256(spec.VaePath!) : "",
        };
        // MetadataNameFor records a file beside the model relatively, one elsewhere by its full path.
        string recordedFile = metadata.Task[(metadata.Task.IndexOf(':') + 1)..];
        if ((spec.IsCsv || spec.IsLatent) && Path.IsPathRooted(recordedFile))
            parse.InvocationConfiguration.Error.WriteLine($"warning: {recordedFile} lies outside the model's folder: memgrid follows a model's paths only inside its folder, so runs will need --reference-data (keep the data beside the model to avoid it)");
        var trainer = new Trainer(options);
        var losses = new List<double>();
        var result = ConsoleProgress.RunWithStatus($"training {spec.Name} ({options.Epochs} epochs)", parse.InvocationConfiguration.Error, progress =>
            trainer.Train(data, metadata, new EpochProgress(progress, losses)));
        OnnxExporter.Save(result.Network, outPath);
        string lossPng = LossPlot.PathFor(outPath);
        AtomicFile.WriteAllBytes(lossPng, LossPlot.Render($"{Path.GetFileName(outPath)} — training loss ({spec.Name}, {options.Epochs} epochs)", losses));
        var o = parse.InvocationConfiguration.Output;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {spec.Name}: {data.Count} points, D={data.Dim}, {(conditional ? $"{data.ClassNames.Count} classes" : "unconditional")}, " +
            $"{options.HiddenLayers}×{options.HiddenWidth} hidden, {options.Epochs} epochs ({result.Steps} steps) in {result.Wall.TotalSeconds:F1} s; final loss {result.FinalLoss:F4}"));
        o.WriteLine($"wrote {outPath}, {lossPng}");
        return 0;
    }

    /// <summary>Passes each epoch on as a status line and keeps its mean loss for the loss curve.</summary>
    private sealed class EpochProgress(IProgress<(double, string)> inner, List<double> losses) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            losses.Add(value.MeanLoss);
            inner.Report(((double)value.Epoch / value.Epochs, string.Create(CultureInfo.InvariantCulture, $"epoch {value.Epoch}/{value.Epochs}, loss {value.MeanLoss:F4}")));
        }
    }
}
