using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Runs;

/// <summary>How a latent model's generated latents become images.</summary>
public static class DecoderKinds
{
    /// <summary>ONNX Runtime on the VAE's decoder file (digital).</summary>
    public const string Onnx = "onnx";

    /// <summary>The VAE decoder programmed onto crossbar tiles of the run's profile.</summary>
    public const string Analog = "analog";

    /// <summary>The engine's own decoder (the same numbers on every machine: what sweep cells are scored with).</summary>
    public const string Engine = "engine";
}

/// <summary>What a user asked of one analog run, before anything is checked: the loaded model and the raw choices.</summary>
public sealed record RunSpec
{
    public required string ModelPath { get; init; }

    /// <summary>The model as the machine programs it (the file, or re-encoded with a schedule the user supplied).</summary>
    public required byte[] ModelBytes { get; init; }
    public required ScoreNetwork Network { get; init; }

    /// <summary>A preset name or a profile file.</summary>
    public string Profile { get; init; } = "rram-180nm";

    /// <summary>Profile keys set on the command line (<c>KEY=VALUE</c>, applied in order to <see cref="Profile"/>).</summary>
    public IReadOnlyList<string> ProfileSettings { get; init; } = [];

    /// <summary>Seconds since programming; overrides the profile's device.drift.age_seconds.</summary>
    public double? DeviceAgeSeconds { get; init; }

    /// <summary>Samples, per label for a conditional model.</summary>
    public int SamplesPerLabel { get; init; } = 10_000;

    /// <summary>Classes to generate (names or indices, comma-separated); null = all of a conditional model.</summary>
    public string? Labels { get; init; }

    /// <summary>The solver and seeds; its <see cref="AnalogRunOptions.ScheduleScale"/> and <see cref="AnalogRunOptions.ProgramSeed"/> are replaced by the two below.</summary>
    public AnalogRunOptions Options { get; init; } = new();

    /// <summary>β scale for sampling; null = the model's metadata.</summary>
    public double? ScheduleScale { get; init; }

    /// <summary>The chip's seed; null = the run's seed.</summary>
    public ulong? ProgramSeed { get; init; }

    /// <summary>ring, hku, gmm16, csv:PATH or PATH.csv; null = the model's training task.</summary>
    public string? ReferenceData { get; init; }
    public string Decoder { get; init; } = DecoderKinds.Onnx;

    /// <summary>A digital baseline's report.json to set the run beside.</summary>
    public string? BaselineReportPath { get; init; }

    /// <summary>The command line that asked for the run (provenance).</summary>
    public IReadOnlyList<string> CommandLine { get; init; } = [];
}

/// <summary>
/// One analog run, checked once and complete: every command that runs the analog machine (run, compare,
/// sweep cells, reproduce) builds one of these and hands it to <see cref="RunPipeline"/>. Nothing after
/// <see cref="Create"/> validates user input again.
/// </summary>
public sealed record RunRequest
{
    public required string ModelPath { get; init; }
    public required byte[] ModelBytes { get; init; }
    public required ScoreNetwork Network { get; init; }
    /// <summary>The profile the machine runs: with <c>loop.derive</c>, the derived RC, settling times and update period in place.</summary>
    public required HardwareProfile Profile { get; init; }

    /// <summary>The profile as the user stated it (before the loop design): what <c>profile.json</c> keeps, since running it
    /// again derives the same timing, while the derived profile would be refused (it states what loop.derive derives).</summary>
    public required HardwareProfile StatedProfile { get; init; }

    /// <summary>How the loop's timing was derived (<c>loop.derive</c>), else null: the profile gave it.</summary>
    public LoopDesign? LoopDesign { get; init; }

    /// <summary>"preset", or the profile file's full path.</summary>
    public required string ProfileSource { get; init; }
    public required AnalogRunOptions Options { get; init; }

    /// <summary>One label per sample for a conditional model, else empty.</summary>
    public required int[] Labels { get; init; }

    /// <summary>Samples in all (every label's together).</summary>
    public required int Count { get; init; }
    public ReferenceSet? Reference { get; init; }

    /// <summary>The user's <c>--reference-data</c>, or null when the reference is the model's own training task (which a silo
    /// given the model's files finds as the client does).</summary>
    public string? ReferenceOption { get; init; }
    public string Decoder { get; init; } = DecoderKinds.Onnx;
    public BaselineReport? Baseline { get; init; }
    public IReadOnlyList<string> CommandLine { get; init; } = [];

    /// <summary>A stable id for a job that may be resumed on a cluster (sweep cells); null for a fresh one.</summary>
    public string? JobId { get; init; }

    public string ModelName => Path.GetFileName(ModelPath);

    /// <summary>How many points a synthetic task's reference has for a run of <paramref name="count"/> samples (the client's and a
    /// scoring silo's reference must be the same draw).</summary>
    public static int ReferenceCountFor(int count) => Math.Max(count, 10_000);

    /// <summary>The job the machine runs.</summary>
    public AnalogJob Job() => new(ModelBytes, ModelName, Network, Profile, Options, Count, Labels, JobId);

    /// <summary>Resolves and checks <paramref name="spec"/>: profile, labels, options against the network and the
    /// profile, memory, reference data, decoder and baseline. <paramref name="warn"/> receives warnings.</summary>
    public static RunRequest Create(RunSpec spec, Action<string> warn)
    {
        var net = spec.Network;
        var profile = HardwareProfile.Resolve(spec.Profile).Apply(spec.ProfileSettings);
        if (spec.DeviceAgeSeconds is { } age)
        {
            UserInputException.Require(age >= 0 && double.IsFinite(age), "device_age", $"must be ≥ 0 (got {age})");
            profile = profile with { Device = profile.Device with { Drift = profile.Device.Drift with { AgeSeconds = age } } };
        }
        UserInputException.Require(spec.SamplesPerLabel >= 1, "samples", $"must be at least 1 (got {spec.SamplesPerLabel})");
        MemoryBudget.RequireSamples((long)spec.SamplesPerLabel * Math.Max(1, net.ClassCount), net.InputDim, "samples");
        int[] labels = LabelEncoder.LabelsFor(net, spec.Labels, spec.SamplesPerLabel);
        int count = labels.Length > 0 ? labels.Length : spec.SamplesPerLabel;
        var options = spec.Options with
        {
            ScheduleScale = spec.ScheduleScale ?? net.Metadata.SamplingScheduleScale,
            ProgramSeed = spec.ProgramSeed ?? spec.Options.Seed,
        };
        options.ValidateFor(net);
        var stated = profile;
        LoopDesign? loop = null;
        if (profile.Loop.Derive)
        {
            loop = LoopDesigner.Design(net, profile, Partitioning.DeploymentPlan.Create(net, profile.Mapping), options);
            profile = loop.Profile;
        }
        LoopTiming.Require(net, profile);
        LaneDriver.RequireNoiseDefined(net, profile, options);
        var reference = ReferenceResolver.Prepare(spec.ReferenceData, net.Metadata, options.Seed, ReferenceCountFor(count), warn);
        if (reference is null) warn("warning: the model names no training task and no --reference-data was given; quality metrics are omitted");
        if (spec.Decoder == DecoderKinds.Analog && ImageDecoding.VaePathOf(net.Metadata) is null)
            throw UserInputException.ForSetting("decoder", $"analog needs a latent model (trained with --task latent:VAE.onnx); {Path.GetFileName(spec.ModelPath)} has no VAE");
        return new RunRequest
        {
            ModelPath = Path.GetFullPath(spec.ModelPath),
            ModelBytes = spec.ModelBytes,
            Network = net,
            Profile = profile,
            StatedProfile = stated,
            LoopDesign = loop,
            ProfileSource = (HardwareProfile.Presets.Contains(spec.Profile) ? "preset" : Path.GetFullPath(spec.Profile))
                + (spec.ProfileSettings.Count > 0 ? $" with --set {string.Join(" --set ", spec.ProfileSettings)}" : ""),
            Options = options,
            Labels = labels,
            Count = count,
            Reference = reference is { } r ? new ReferenceSet(r.Load, r.Name) : null,
            ReferenceOption = spec.ReferenceData,
            Decoder = spec.Decoder,
            Baseline = spec.BaselineReportPath is { } path ? BaselineReport.Read(path) : null,
            CommandLine = spec.CommandLine,
        };
    }
}

/// <summary>Reference data a run is scored against, and its name in reports.</summary>
public sealed class ReferenceSet
{
    public ReferenceSet(Dataset data, string name)
    {
        _load = new Lazy<Task<Dataset>>(Task.FromResult(data));
        Name = name;
    }

    /// <summary>A reference loaded in the background once first asked for: a latent task's reference is its VAE's training images
    /// encoded (60 000 for Fashion-MNIST, a quarter of a large run's client CPU), which a run does while its job runs.
    /// A failure is thrown where <see cref="Data"/> is first read.</summary>
    public ReferenceSet(Func<Dataset> load, string name)
    {
        _load = new Lazy<Task<Dataset>>(() => Task.Run(load));
        Name = name;
    }

    /// <summary>Loading starts when the reference is first asked for: a run scored on the cluster never loads it here.</summary>
    private readonly Lazy<Task<Dataset>> _load;

    public Dataset Data => _load.Value.GetAwaiter().GetResult();

    /// <summary>Starts loading the reference, and completes when it is loaded (or failed to).</summary>
    public Task Loaded => _load.Value;
    public string Name { get; }

    /// <summary>How close <paramref name="samples"/> [count × dim] are to the reference.</summary>
    public Metrics.QualityReport Score(float[] samples, int[] labels, int dim) => Metrics.QualityReport.Compute(samples, labels, dim, Data);
}
