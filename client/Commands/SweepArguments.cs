using System.CommandLine;
using System.Globalization;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>The options of <c>memgrid sweep</c>, and what they parse into: a <see cref="SweepSpec"/>.</summary>
internal sealed class SweepArguments
{
    public readonly Option<string[]> Models = new("--model") { Description = "Score networks to sweep (.onnx; repeat the option).", Required = true, AllowMultipleArgumentsPerToken = true };
    public readonly Option<string> Output = Required("--out", "Output directory: sweep.csv, sweep.json, sweep.md, plots, and cells/ (finished cells, kept for resuming).");
    public readonly Option<string> Profile = Make("--profile", $"Base hardware profile ({string.Join(", ", HardwareProfile.Presets)} or PATH.json); --set changes keys of it.", "rram-180nm");
    public readonly Option<string[]> Set = new("--set")
    {
        Description = "Sweep a profile key over values: KEY=V1,V2,… with KEY a dotted profile path (e.g. device.programming_noise.sigma=0,0.05,0.1, mapping.tile_rows=32,64; 'memgrid profile show' lists the keys). Repeat for more keys: every combination is run.",
        AllowMultipleArgumentsPerToken = true,
    };
    public readonly Option<string?> Sigmas = new("--sigmas") { Description = "Shorthand axis: the paper's truncated-multiplicative programming noise at these σ (truncation 2σ, 0 = none), comma-separated." };
    public readonly Option<int> Chips = Make("--chips", "Chips per configuration (programming seeds 1…N): quality is reported as mean ± standard error over them.", 3).Positive();
    public readonly Option<int> Samples = Make("--samples", "Samples per cell (per label for conditional models).", 2000).Positive();
    public readonly Option<string?> Labels = new("--labels") { Description = "Classes to generate in every cell of a conditional model (default: all)." };
    public readonly Option<float> Guidance = Make("--guidance", "Classifier-free guidance weight w.", 0f).NonNegative();
    public readonly Option<string> Sampler = Make("--sampler", "ode (probability-flow, Dormand–Prince) or sde (reverse SDE).", "ode");
    public readonly Option<ulong> Seed = Make<ulong>("--seed", "Seed of the prior, read noise and SDE noise (the same in every cell).", 1);
    public readonly Option<string> Metric = Make("--metric", "Quality metric for the tables, plots and Pareto front: kl_paper, kl_2d, energy_distance, class_accuracy, or for latent models decoded_class_accuracy or frechet_distance.", "kl_paper");
    public readonly Option<int> Parallel = Make("--parallel", "Cells run at once (each cell's job is itself spread over the cluster's lane slots).", 2).Positive();
    public readonly Option<double> Rtol = Make("--rtol", "Relative tolerance of the adaptive ODE solver.", 1e-4).Positive();
    public readonly Option<double> Atol = Make("--atol", "Absolute tolerance of the adaptive ODE solver.", 1e-5).Positive();
    public readonly Option<string?> ReferenceData = Commands.ReferenceData.Create();
    public readonly ScheduleOptions Schedule = new();

    public SweepArguments()
    {
        Sampler.AcceptOnlyFromAmong("ode", "sde");
        Metric.AcceptOnlyFromAmong("kl_paper", "kl_2d", "energy_distance", "class_accuracy", "decoded_class_accuracy", "frechet_distance");
    }

    public IEnumerable<Option> All() =>
        [Models, Output, Profile, Set, Sigmas, Chips, Samples, Labels, Guidance, Sampler, Seed, Metric, Parallel, Rtol, Atol, ReferenceData, .. Schedule.All()];

    public SweepSpec Spec(ParseResult parse)
    {
        var axes = (parse.GetValue(Set) ?? []).Select(SweepAxis.Parse).ToList();
        if (parse.GetValue(Sigmas) is { } sigmaText) axes.Insert(0, SweepAxis.ProgrammingSigma(ParseSigmas(sigmaText)));
        return new SweepSpec
        {
            Models = parse.GetValue(Models)!.Select(path =>
            {
                var (bytes, net, _) = Schedule.Load(parse, path);
                return new SweepModel(Path.GetFileName(path), bytes, net);
            }).ToList(),
            Profile = parse.GetValue(Profile)!,
            Axes = axes,
            Chips = parse.GetValue(Chips),
            SamplesPerLabel = parse.GetValue(Samples),
            Labels = parse.GetValue(Labels),
            Options = new AnalogRunOptions
            {
                Kind = parse.GetValue(Sampler) == "sde" ? SamplerKind.Sde : SamplerKind.Ode,
                GuidanceWeight = parse.GetValue(Guidance),
                Seed = parse.GetValue(Seed),
                RelativeTolerance = parse.GetValue(Rtol),
                AbsoluteTolerance = parse.GetValue(Atol),
            },
            ReferenceData = parse.GetValue(ReferenceData),
            Metric = Enum.GetValues<SweepMetric>().Single(m => m.Key() == parse.GetValue(Metric)),
            CommandLine = CommandLine(parse),
        };
    }

    private static List<double> ParseSigmas(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(token =>
        double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw UserInputException.ForSetting("sigmas", $"'{token}' is not a number")).ToList();
}
