using System.CommandLine;
using System.Globalization;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Runs;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// <c>memgrid score</c>: judges samples made by any sampler (PyTorch's own, another simulator's) with the
/// metrics memgrid's runs report — the same reference data, the same image classifier — so that they can
/// be set beside a baseline or a run.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = Required("--model", "The score network the samples came from (.onnx): its metadata names the reference data and, for images, the judge.");
        var samples = Required("--samples", "Samples as CSV: header x1,…,xD[,label] (a label column as names or indices).");
        var reference = ReferenceData.Create();
        var command = new Command("score", "Score samples from any sampler with memgrid's metrics (kl_paper, energy distance, class accuracy, and for images the classifier's Fréchet distance).\nExample: memgrid score --model models/unet-digits.onnx --samples models/unet-digits.torch-samples-seed1.csv")
        { model, samples, reference };
        command.SetAction(parse => Score(parse.GetValue(model)!, parse.GetValue(samples)!, parse.GetValue(reference), parse));
        return command;
    }

    private static int Score(string modelPath, string samplesPath, string? referenceData, ParseResult parse)
    {
        byte[] bytes = OnnxImporter.ReadModelBytes(modelPath);
        IScoreNetworkInfo net = Engine.Graphs.Import.GraphImporter.IsGeneral(bytes)
            ? Engine.Graphs.Import.GraphImporter.FromBytes(bytes, modelPath) : OnnxImporter.FromBytes(bytes, modelPath);
        var data = CsvDataset.Load(samplesPath);
        if (data.Dim != net.InputDim) throw new UserInputException($"{samplesPath}: samples have {data.Dim} dimensions; the model generates {net.InputDim}");
        int[] labels = data.Labels is { } given && net.IsConditional
            ? given.Select(l => l < net.ClassCount ? l : throw new UserInputException($"{samplesPath}: label {l} is not one of the model's {net.ClassCount} classes")).ToArray() : [];
        var o = parse.InvocationConfiguration.Output;
        var found = ReferenceResolver.Resolve(referenceData, net.Metadata, 1, Math.Max(data.Count, 10_000), parse.InvocationConfiguration.Error.WriteLine)
            ?? throw new UserInputException("the model names no training task: pass --reference-data");
        var quality = new ReferenceSet(found.Data, found.Name).Score(data.X, labels, data.Dim);
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{data.Count} samples of {data.Dim} dimensions from {samplesPath}, against {found.Name}"));
        o.WriteLine(PerClassQuality.Headline(quality.KlPaper, quality.Kl2D, quality.EnergyDistance, quality.ClassAccuracy?.Overall));
        if (quality.Modes is { } modes) o.WriteLine(PerClassQuality.Modes(modes));
        if (ImageDecoding.DecodeAndScore(ImageDecoding.JudgeOf(net.Metadata), data.X, labels, found.Data) is { } images)
            o.WriteLine(LatentImages.Summary(RunReportBuilder.Images(images)));
        return 0;
    }
}
