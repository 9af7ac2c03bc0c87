using System.CommandLine;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Simulation;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>Options shared by <c>memgrid run</c> and <c>memgrid compare</c>: what they parse into a <see cref="RunRequest"/>.</summary>
internal sealed class AnalogRunArguments
{
    public readonly Option<string> Model = Required("--model", "Score network (.onnx).");
    public readonly Option<string> Output = Required("--out", "Output directory.");
    public readonly Option<string> Profile = Make("--profile", $"Hardware profile: {string.Join(", ", HardwareProfile.Presets)} or PATH.json.", "rram-180nm");
    public readonly Option<string[]> Set = CommandOptions.ProfileSettings();
    public readonly Option<int> Samples = Make("--samples", "Samples to generate; per label for conditional models (3 labels × --samples 4000 = 12 000 samples).", 10_000).Positive();
    public readonly Option<string> Sampler = Make("--sampler", "ode (probability-flow, Dormand–Prince) or sde (reverse SDE with injected noise).", "ode");
    public readonly Option<string?> Labels = new("--labels") { Description = "Classes to generate, comma-separated names or indices (default: all classes of a conditional model)." };
    public readonly Option<float> Guidance = Make("--guidance", "Classifier-free guidance weight w (a second network pass per evaluation).", 0f).NonNegative();
    public readonly Option<double?> ScheduleScale = Optional<double>("--schedule-scale", "β scale for sampling (default: the model's metadata).").PositiveIfSet();
    public readonly Option<ulong> Seed = Make<ulong>("--seed", "Seed of the prior, read noise and SDE noise.", 1);
    public readonly Option<ulong?> ProgramSeed = Optional<ulong>("--program-seed", "Seed of the chip: programming noise, faults, offsets (default: --seed).");
    public readonly Option<string?> ReferenceData = Commands.ReferenceData.Create();
    public readonly Option<int?> LaneSize = Optional<int>("--lane-size", "Samples integrated together in one lane (default: enough lanes for every lane slot, at most 500 each). Samples do not depend on it.").PositiveIfSet();
    public readonly Option<double> Rtol = Make("--rtol", "Relative tolerance of the adaptive ODE solver (per coordinate |err| ≤ atol + rtol·|x|); it alone decides the ODE's work with a continuous controller.", 1e-4).Positive();
    public readonly Option<double> Atol = Make("--atol", "Absolute tolerance of the adaptive ODE solver.", 1e-5).Positive();
    public readonly Option<int> ContinuousSegments = Make("--continuous-segments", "With a continuous controller (update period 0): slices the run is cut into — the SDE's step grid (--substeps per slice); for the ODE only checkpoints, which its steps cross (samples do not depend on them).", 100).Positive();
    public readonly Option<string> SdeScheme = Make("--sde-scheme", "SDE integrator: sra1 (Rößler, strong order 1.5 for additive noise) or em (Euler–Maruyama).", "sra1");
    public readonly Option<int> Substeps = Make("--substeps", "SDE steps per controller update period (or per --continuous-segments slice).", 10).Positive();
    public readonly Option<double> EndTime = Make("--end-time", "Diffusion time τ where the analog run stops (from τ = 1). Below 0 continues past the end of the schedule, as the demo board does (to −0.2).", 1e-4);
    public readonly ScheduleOptions Schedule = new();
    public readonly Option<string?> BaselineReport = new("--baseline-report") { Description = "A digital baseline's report.json (from memgrid baseline): report.md then opens with digital against analog." };
    public readonly Option<double?> DeviceAge = Optional<double>("--device-age", "Seconds since programming (overrides the profile's device.drift.age_seconds).");
    public readonly Option<string> Decoder = Make("--decoder", "Latent models: decode the generated latents with onnx (ONNX Runtime) or analog (the VAE decoder programmed onto crossbar tiles of --profile as well).", DecoderKinds.Onnx);

    public AnalogRunArguments()
    {
        Sampler.AcceptOnlyFromAmong("sde", "ode");
        SdeScheme.AcceptOnlyFromAmong("sra1", "em");
        Decoder.AcceptOnlyFromAmong(DecoderKinds.Onnx, DecoderKinds.Analog);
        DeviceAge.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is < 0) r.AddError("--device-age must be ≥ 0"); });
    }

    public IEnumerable<Option> All() =>
        [Model, Output, Profile, Set, Samples, Sampler, Labels, Guidance, ScheduleScale, Seed, ProgramSeed, ReferenceData, LaneSize, Rtol, Atol, ContinuousSegments, SdeScheme, Substeps, EndTime, DeviceAge, Decoder, BaselineReport, .. Schedule.All()];

    /// <summary>The run the command line asks for, checked by the engine (<see cref="RunRequest.Create"/>).</summary>
    public RunRequest Request(ParseResult parse, IReadOnlyList<string> commandLine)
    {
        string modelPath = parse.GetValue(Model)!;
        var (bytes, net, _) = Schedule.Load(parse, modelPath, parse.GetValue(ScheduleScale));
        var error = parse.InvocationConfiguration.Error;
        return RunRequest.Create(new RunSpec
        {
            ModelPath = modelPath,
            ModelBytes = bytes,
            Network = net,
            Profile = parse.GetValue(Profile)!,
            ProfileSettings = parse.GetValue(Set) ?? [],
            DeviceAgeSeconds = parse.GetValue(DeviceAge),
            SamplesPerLabel = parse.GetValue(Samples),
            Labels = parse.GetValue(Labels),
            Options = Options(parse),
            ScheduleScale = parse.GetValue(ScheduleScale),
            ProgramSeed = parse.GetValue(ProgramSeed),
            ReferenceData = parse.GetValue(ReferenceData),
            Decoder = parse.GetValue(Decoder)!,
            BaselineReportPath = parse.GetValue(BaselineReport),
            CommandLine = commandLine,
        }, m => error.WriteLine(m));
    }

    /// <summary>The sampler and solver options of the command line.</summary>
    public AnalogRunOptions Options(ParseResult parse) => new()
    {
        Kind = parse.GetValue(Sampler) == "sde" ? Engine.Diffusion.SamplerKind.Sde : Engine.Diffusion.SamplerKind.Ode,
        GuidanceWeight = parse.GetValue(Guidance),
        Seed = parse.GetValue(Seed),
        LaneSize = parse.GetValue(LaneSize) ?? 0,
        RelativeTolerance = parse.GetValue(Rtol),
        AbsoluteTolerance = parse.GetValue(Atol),
        SdeScheme = parse.GetValue(SdeScheme) == "em" ? Engine.Simulation.SdeScheme.EulerMaruyama : Engine.Simulation.SdeScheme.Sra1,
        Substeps = parse.GetValue(Substeps),
        ContinuousSegments = parse.GetValue(ContinuousSegments),
        EndTime = parse.GetValue(EndTime),
    };
}
