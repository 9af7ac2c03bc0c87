using System.CommandLine;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// The diffusion schedule of a model whose file does not say (a PyTorch export): <c>--sde</c>, its
/// parameters, or a <c>--schedule</c> sidecar file. Options win over the sidecar, both over the file's
/// own metadata; every command that loads a model to sample it goes through <see cref="Load"/>.
/// </summary>
internal sealed class ScheduleOptions
{
    public readonly Option<string?> Sde = new("--sde") { Description = "SDE the model was trained with, vp or ve, for a model whose file does not say (e.g. a PyTorch export)." };
    public readonly Option<double?> BetaMin = Optional<double>("--beta-min", "VP: β at t = 0 (PyTorch score models commonly use 0.1).");
    public readonly Option<double?> BetaMax = Optional<double>("--beta-max", "VP: β at t = 1 (commonly 20; the paper's models 0.5).");
    public readonly Option<double?> SigmaMin = Optional<double>("--sigma-min", "VE: σ at t = 0.").PositiveIfSet();
    public readonly Option<double?> SigmaMax = Optional<double>("--sigma-max", "VE: σ at t = 1.").PositiveIfSet();
    public readonly Option<string?> Sidecar = new("--schedule") { Description = "A JSON file with the schedule: {\"sde\": \"vp\", \"beta_min\": 0.1, \"beta_max\": 20, \"schedule_scale\": 1}." };

    public ScheduleOptions() => Sde.AcceptOnlyFromAmong("vp", "ve");

    public IEnumerable<Option> All() => [Sde, BetaMin, BetaMax, SigmaMin, SigmaMax, Sidecar];

    public ScheduleSettings Settings(ParseResult parse, double? scheduleScale = null)
    {
        var given = new ScheduleSettings(parse.GetValue(Sde), parse.GetValue(BetaMin), parse.GetValue(BetaMax), parse.GetValue(SigmaMin), parse.GetValue(SigmaMax), scheduleScale);
        return parse.GetValue(Sidecar) is { } path ? given.Over(ScheduleSettings.Load(path)) : given;
    }

    /// <summary>
    /// Reads the model and applies the schedule settings; refuses a model whose schedule is neither in its file
    /// nor given. When options supplied part of the schedule, <c>Bytes</c> is the network re-encoded with that
    /// schedule in its metadata (same weights, the engine's ONNX form), so the cluster's grains and sweep cell ids
    /// see what the command sees; <c>Original</c> is the file as it is, for ONNX Runtime.
    /// </summary>
    /// <summary>A model for the digital path: the MLP family as <see cref="Load"/> reads it, or a general graph (a U-Net) with the
    /// schedule applied the same way; ONNX Runtime then runs the file as it is.</summary>
    public (IScoreNetworkInfo Network, byte[] Original) LoadForDigital(ParseResult parse, string path, double? scheduleScale = null)
    {
        byte[] bytes = OnnxImporter.ReadModelBytes(path);
        if (!Engine.Graphs.Import.GraphImporter.IsGeneral(bytes))
        {
            var (_, net, original) = Load(parse, path, scheduleScale);
            return (net, original);
        }
        var graph = Engine.Graphs.Import.GraphImporter.FromBytes(bytes, path);
        graph = graph.WithMetadata(Settings(parse, scheduleScale).ApplyTo(graph.Metadata, Path.GetFileName(path)));
        foreach (var line in ScheduleSettings.Defaulted(graph.Metadata)) parse.InvocationConfiguration.Error.WriteLine($"warning: {Path.GetFileName(path)}: {line}");
        return (graph, bytes);
    }

    public (byte[] Bytes, ScoreNetwork Network, byte[] Original) Load(ParseResult parse, string path, double? scheduleScale = null)
    {
        byte[] bytes = OnnxImporter.ReadModelBytes(path);
        if (Engine.Graphs.Import.GraphImporter.IsGeneral(bytes))
            throw new Engine.UserInputException($"{path} is a general score network (a U-Net or similar: {Engine.Graphs.Import.GraphImporter.GeneralOpsOf(bytes)}); "
                + "`memgrid inspect`, `baseline`, `score` and `run` take it; `compare`, `sweep` and `reproduce` take only the paper's MLP family so far");
        var imported = OnnxImporter.FromBytes(bytes, path);
        var net = imported.WithMetadata(Settings(parse, scheduleScale).ApplyTo(imported.Metadata, Path.GetFileName(path)));
        foreach (var line in ScheduleSettings.Defaulted(net.Metadata)) parse.InvocationConfiguration.Error.WriteLine($"warning: {Path.GetFileName(path)}: {line}");
        // The sampling scale travels in the run options; the SDE and its parameters only in the model.
        bool given = new[] { "sde", "beta_min", "beta_max", "sigma_min", "sigma_max" }.Any(k => net.Metadata.Origin(k) == ScheduleSettings.FromOptions);
        return (given ? OnnxExporter.ToBytes(net) : bytes, net, bytes);
    }
}
