using System.CommandLine;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>The options of <c>memgrid tolerance</c>.</summary>
internal sealed class ToleranceArguments
{
    public readonly Option<string> Model = Required("--model", "Score network (.onnx).");
    public readonly Option<string> Output = Required("--out", "Output directory: tolerance.md, tolerance.json, tolerance.csv, tolerance.png, and cells/ (finished probes, kept for resuming).");
    public readonly Option<string> Profile = Make("--profile", $"Base hardware profile ({string.Join(", ", HardwareProfile.Presets)} or PATH.json).", "rram-180nm");
    public readonly Option<string[]> Set = ProfileSettings();
    public readonly Option<string[]> Parameters = new("--parameter")
    {
        Description = "A figure to search: KEY=GOOD:BAD[:log], a profile key between the value that is as good as it gets and the worst asked about (e.g. device.write_verify.tolerance_microsiemens=0.05:4:log). Repeat for more. Default: relaxation scale, verify tolerance, the write pulse's spread, read noise, levels and ADC bits.",
    };
    public readonly Option<string?> Metric = new("--metric") { Description = "kl_paper, kl_2d, energy_distance, class_accuracy, decoded_class_accuracy or frechet_distance (default: kl_paper, or a latent model's decoded_class_accuracy)." };
    public readonly Option<double?> MaxRatio = Optional<double>("--max-ratio", "Budget for a lower-is-better metric: at most this many times the digital sampler's (default 1.5).");
    public readonly Option<double?> MaxDrop = Optional<double>("--max-drop", "Budget for an accuracy: at most this far below the digital sampler's (default 0.01).");
    public readonly Option<int> Chips = Make("--chips", "Chips per probe (programming seeds 1…N); a probe meets the budget by its mean over them.", 5).Positive();
    public readonly Option<int> Samples = Make("--samples", "Samples per chip (per label for conditional models).", 2000).Positive();
    public readonly Option<string> Sampler = Make("--sampler", "ode (probability-flow, Dormand–Prince) or sde (reverse SDE).", "ode");
    public readonly Option<ulong> Seed = Make<ulong>("--seed", "Seed of the prior, read noise and SDE noise (the same in every probe and in the digital sampler).", 1);
    public readonly Option<int> Steps = Make("--steps", "Bisection steps per parameter (each halves the bracket).", 5).Positive();
    public readonly Option<int> DigitalSteps = Make("--digital-steps", "Euler steps of the digital sampler the budget is relative to.", 1000).Positive();
    public readonly Option<string> Others = Make("--others", "Where the other searched figures sit while one is bisected: good (their good ends: the figure alone on an otherwise perfect device) or stated (the profile's values: the figure alone changed on the device as it is).", "good");
    public readonly Option<int> Parallel = Make("--parallel", "Chips of a probe run at once.", 2).Positive();
    public readonly Option<string?> ReferenceData = Commands.ReferenceData.Create();
    public readonly ScheduleOptions Schedule = new();

    public ToleranceArguments()
    {
        Sampler.AcceptOnlyFromAmong("ode", "sde");
        Others.AcceptOnlyFromAmong("good", "stated");
        Metric.AcceptOnlyFromAmong("kl_paper", "kl_2d", "energy_distance", "class_accuracy", "decoded_class_accuracy", "frechet_distance");
    }

    public IEnumerable<Option> All() => [Model, Output, Profile, Set, Parameters, Metric, MaxRatio, MaxDrop, Chips, Samples, Sampler, Seed, Steps, DigitalSteps, Others, Parallel, ReferenceData, .. Schedule.All()];

    public ToleranceSpec Spec(ParseResult parse)
    {
        string path = parse.GetValue(Model)!;
        var (bytes, net, _) = Schedule.Load(parse, path);
        return new ToleranceSpec
        {
            Model = new SweepModel(Path.GetFileName(path), bytes, net),
            Profile = parse.GetValue(Profile)!,
            ProfileSettings = parse.GetValue(Set) ?? [],
            Parameters = (parse.GetValue(Parameters) ?? []).Select(ToleranceParameter.Parse).ToList(),
            Metric = parse.GetValue(Metric) is { } key ? Enum.GetValues<SweepMetric>().Single(m => m.Key() == key) : null,
            MaxRatio = parse.GetValue(MaxRatio),
            MaxDrop = parse.GetValue(MaxDrop),
            Chips = parse.GetValue(Chips),
            SamplesPerLabel = parse.GetValue(Samples),
            Options = new AnalogRunOptions { Kind = parse.GetValue(Sampler) == "sde" ? SamplerKind.Sde : SamplerKind.Ode, Seed = parse.GetValue(Seed) },
            Steps = parse.GetValue(Steps),
            DigitalSteps = parse.GetValue(DigitalSteps),
            OthersAsStated = parse.GetValue(Others) == "stated",
            ReferenceData = parse.GetValue(ReferenceData),
            CommandLine = CommandLine(parse),
        };
    }
}

/// <summary>
/// <c>memgrid tolerance</c>: what a device must achieve for a model to keep its quality (<see cref="ToleranceSearch"/>). Every probe
/// is a sweep cell per chip on the grain cluster, kept in <c>OUT/cells/</c>, so running the same command again resumes it.
/// </summary>
internal static class ToleranceCommand
{
    public static Command Create()
    {
        var args = new ToleranceArguments();
        var simulator = new AnalogSimulator();
        var command = new Command("tolerance", """
            What must the device achieve? For a model, a sampler and a quality budget, bisect each device or circuit figure alone (relaxation, verify tolerance, write noise, read noise, levels, ADC bits, or any profile key) over several chips per point on the grain cluster, and find a combined point that meets the budget.
            Example: memgrid tolerance --model models/ring.onnx --set device.write_verify.relaxation_scale=0 --parameter device.write_verify.tolerance_microsiemens=0.25:4:log --max-ratio 1.5 --out tolerance/ring
            """);
        foreach (var o in args.All().Concat(simulator.All())) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            var request = ToleranceRequest.Create(args.Spec(parse), parse.InvocationConfiguration.Error.WriteLine);
            string outDir = parse.GetValue(args.Output)!;
            using var claim = RunOutputs.ClaimDirectory(outDir);
            var o = parse.InvocationConfiguration.Output;
            await using var machine = simulator.Open(parse);
            var outcome = await new ToleranceSearch(request, machine, ConsoleWorkProgress.Instance, o.WriteLine, parse.GetValue(args.Parallel)).RunAsync(outDir, cancel);
            var report = new ToleranceReport(outcome);
            RunOutputs.WriteText(outDir, "tolerance.csv", report.Csv());
            RunOutputs.WriteReport(outDir, report.Json(), "tolerance.json");
            RunOutputs.WriteText(outDir, "tolerance.md", report.Markdown());
            RunOutputs.WritePng(outDir, "tolerance.png", report.Plot());
            RunWriter.WriteProfile(outDir, request.BaseProfile);
            o.WriteLine(report.Markdown().TrimEnd());
            o.WriteLine($"wrote {Path.Combine(outDir, "tolerance.md")}, tolerance.json, tolerance.csv, tolerance.png");
            return 0;
        });
        return command;
    }
}
