using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Experiments;

/// <summary>One swept dimension of the hardware: a name, its values, and how a value changes the base profile.</summary>
public sealed record SweepAxis(string Name, IReadOnlyList<string> Values, Func<HardwareProfile, string, HardwareProfile> Apply)
{
    /// <summary><c>key=v1,v2,…</c>: a profile key (dotted JSON path) over a list of values.</summary>
    public static SweepAxis Parse(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0) throw UserInputException.ForSetting("set", $"'{text}' is not KEY=VALUE[,VALUE…] (e.g. device.programming_noise.sigma=0,0.05,0.1)");
        string key = text[..eq].Trim();
        var values = text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (values.Length == 0) throw UserInputException.ForSetting("set", $"'{text}' lists no values for {key}");
        if (values.Distinct().Count() != values.Length) throw UserInputException.ForSetting("set", $"'{text}' lists a value of {key} twice");
        return new SweepAxis(key, values, (profile, value) => profile.With(key, value));
    }

    /// <summary>The paper's truncated-multiplicative programming noise at σ with truncation 2σ (its training
    /// recipe), σ = 0 meaning none: one axis sets the model, σ and truncation together.</summary>
    public static SweepAxis ProgrammingSigma(IReadOnlyList<double> sigmas)
    {
        foreach (var s in sigmas) UserInputException.Require(s >= 0 && double.IsFinite(s), "sigmas", $"must be finite and ≥ 0 (got {s})");
        return new SweepAxis("programming_sigma", sigmas.Select(s => s.ToString("R", CultureInfo.InvariantCulture)).ToList(),
            (profile, value) => WithProgrammingNoise(profile, double.Parse(value, CultureInfo.InvariantCulture)));
    }

    public static HardwareProfile WithProgrammingNoise(HardwareProfile profile, double sigma) => profile with
    {
        Device = profile.Device with
        {
            ProgrammingNoise = sigma == 0
                ? new ProgrammingNoiseParameters()
                : new ProgrammingNoiseParameters { Model = Devices.ProgrammingNoise.TruncatedMultiplicativeNoise.Name, Sigma = sigma, Truncation = 2 * sigma },
        },
    };

    /// <summary>The axis's values as numbers when all of them are (plots then use a numeric axis).</summary>
    public double[]? NumericValues()
    {
        var numbers = Values.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : double.NaN).ToArray();
        return numbers.All(double.IsFinite) ? numbers : null;
    }
}

/// <summary>A score network taking part in a sweep, with the hash of its file (part of every cell's identity).</summary>
public sealed record SweepModel(string Name, byte[] Bytes, ScoreNetwork Network)
{
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Bytes));
}

/// <summary>
/// One generation job of a sweep: a model on one chip (programming seed) at one setting of every axis.
/// <see cref="Id"/> hashes everything its result depends on — model file, the resolved profile, the run
/// options, samples, labels and the reference it is scored against — and nothing it does not (lane size,
/// silo count, placement), so a finished cell is found again by any sweep that needs it.
/// </summary>
/// <param name="Profile">The cell's profile as stated (its id hashes this); with <c>loop.derive</c>, <paramref name="Design"/> holds the timing derived from it.</param>
public sealed record SweepCell(string Id, SweepModel Model, IReadOnlyList<string> Settings, int Chip, HardwareProfile Profile,
    AnalogRunOptions Options, int Count, int[] Labels, Accounting.LoopDesign? Design = null)
{
    /// <summary>The configuration (model and settings) this cell is one chip of.</summary>
    public string ConfigurationKey => $"{Model.Name}|{string.Join('|', Settings)}";

    /// <summary>The cell as a run of the <see cref="Runs.RunPipeline"/>, scored against <paramref name="reference"/> and a latent
    /// model's samples decoded by the engine's decoder (the same numbers on every machine); its job id lets a resumed
    /// sweep find the cell's job on a cluster. The plan checked everything a request checks.</summary>
    public Runs.RunRequest Request(Runs.ReferenceSet? reference) => new()
    {
        ModelPath = Model.Name, ModelBytes = Model.Bytes, Network = Model.Network, Profile = Design?.Profile ?? Profile, StatedProfile = Profile,
        LoopDesign = Design, ProfileSource = "sweep cell", Options = Options,
        Labels = Labels, Count = Count, Reference = reference, Decoder = Runs.DecoderKinds.Engine, JobId = $"sweep-{Id}",
    };
}

/// <summary>
/// A design-space sweep expanded into cells: every model × every combination of axis values (the first
/// axis varies slowest) × chips 1…C. Every cell's profile is built and checked here, so an impossible
/// setting is refused before anything runs.
/// </summary>
public sealed record SweepPlan(string Id, IReadOnlyList<SweepAxis> Axes, IReadOnlyList<SweepModel> Models, int Chips, IReadOnlyList<SweepCell> Cells)
{
    /// <summary>Chips per configuration, and cells in all, beyond which a sweep is refused before any work (100 000 chips once
    /// queued 100 000 jobs).</summary>
    public const int MaxChips = 1000, MaxCells = 100_000;

    /// <param name="labelsOf">The label of every sample a model generates (empty for unconditional models).</param>
    /// <param name="referenceOf">Names what a model's cells are scored against (part of the cell id).</param>
    public static SweepPlan Expand(IReadOnlyList<SweepModel> models, HardwareProfile profile, IReadOnlyList<SweepAxis> axes, int chips,
        AnalogRunOptions options, int samples, Func<SweepModel, int[]> labelsOf, Func<SweepModel, string> referenceOf)
    {
        UserInputException.Require(chips is >= 1 and <= MaxChips, "chips", $"must be 1 … {MaxChips} (got {chips}): each chip is a full generation job of every configuration");
        UserInputException.Require(models.Count >= 1, "model", "names no model");
        if (models.Select(m => m.Name).Distinct().Count() != models.Count)
            throw UserInputException.ForSetting("model", $"names two models with the same file name ({string.Join(", ", models.Select(m => m.Name))})");
        if (axes.Select(a => a.Name).Distinct().Count() != axes.Count)
            throw UserInputException.ForSetting("set", "sweeps one key twice: give all its values in one --set");
        var settings = Combinations(axes);
        var profiles = settings.Select(values => values.Select((v, i) => (v, i)).Aggregate(profile, (p, a) => axes[a.i].Apply(p, a.v))).ToList();
        long cellCount = (long)models.Count * settings.Count * chips;
        UserInputException.Require(cellCount <= MaxCells, "set", $"gives {cellCount} cells ({models.Count} model(s) × {settings.Count} setting(s) × {chips} chip(s)); at most {MaxCells}");
        var cells = new List<SweepCell>();
        foreach (var model in models)
        {
            int[] labels = labelsOf(model);
            int count = labels.Length > 0 ? labels.Length : samples;
            string reference = referenceOf(model);
            for (int s = 0; s < settings.Count; s++)
            {
                // The loop design is the deployment's, the same for every chip of a setting.
                Accounting.LoopDesign? design = null;
                for (int chip = 1; chip <= chips; chip++)
                {
                    var cellOptions = options with { ProgramSeed = (ulong)chip, LaneSize = 0, ScheduleScale = model.Network.Metadata.SamplingScheduleScale };
                    cellOptions.ValidateFor(model.Network);
                    if (profiles[s].Loop.Derive)
                        design ??= Accounting.LoopDesigner.Design(model.Network, profiles[s], Partitioning.DeploymentPlan.Create(model.Network, profiles[s].Mapping), cellOptions);
                    Accounting.LoopTiming.Require(model.Network, design?.Profile ?? profiles[s]);
                    string id = CellId(model, profiles[s], cellOptions, count, labels, reference);
                    cells.Add(new SweepCell(id, model, settings[s], chip, profiles[s], cellOptions, count, labels, design));
                }
            }
        }
        string sweepId = Hash(string.Join('\n', axes.Select(a => a.Name).Concat(cells.Select(c => c.Id))))[..12];
        return new SweepPlan(sweepId, axes, models, chips, cells);
    }

    private static List<string[]> Combinations(IReadOnlyList<SweepAxis> axes)
    {
        var result = new List<string[]> { Array.Empty<string>() };
        foreach (var axis in axes)
            result = result.SelectMany(prefix => axis.Values.Select(v => prefix.Append(v).ToArray())).ToList();
        return result;
    }

    private static string CellId(SweepModel model, HardwareProfile profile, AnalogRunOptions options, int count, int[] labels, string reference)
    {
        var identity = new JsonObject
        {
            ["model_sha256"] = model.Sha256,
            ["profile"] = JsonNode.Parse(profile.ToJson()),
            ["options"] = JsonSerializer.SerializeToNode(options),
            ["count"] = count,
            ["labels"] = Hash(string.Join(',', labels)),
            ["reference"] = reference,
        };
        return Hash(identity.ToJsonString())[..20];
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
