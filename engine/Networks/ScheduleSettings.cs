using System.Globalization;
using System.Text.Json;

namespace MemristorGrid.Engine.Networks;

/// <summary>
/// The diffusion schedule a user gives for a model whose file does not carry it (a PyTorch export has
/// no MemristorGrid metadata): the SDE kind, its parameters and the sampling schedule scale, from
/// command-line options and/or a sidecar JSON file (<c>{"sde": "vp", "beta_min": 0.1, "beta_max": 20}</c>).
/// A model with no SDE in its file and none given is refused, naming what to pass; a parameter of the
/// given SDE that neither says keeps its default and is named (<see cref="Defaulted"/>), never silently.
/// </summary>
public sealed record ScheduleSettings(string? Sde = null, double? BetaMin = null, double? BetaMax = null, double? SigmaMin = null, double? SigmaMax = null,
    double? ScheduleScale = null)
{
    public const string FromFile = "from the file", FromOptions = "from options", Default = "default";

    /// <summary>The parameters of <paramref name="m"/>'s SDE that took a default (neither the file nor options gave them), each as a warning line.</summary>
    public static IReadOnlyList<string> Defaulted(DiffusionMetadata m)
    {
        string[] needed = m.SdeKind == "vp" ? ["beta_min", "beta_max"] : ["sigma_min", "sigma_max"];
        return needed.Where(k => m.Origin(k) == Default)
            .Select(k => string.Create(CultureInfo.InvariantCulture, $"--{k.Replace('_', '-')} not given and not in the file: using {Describe(k switch { "beta_min" => m.BetaMin, "beta_max" => m.BetaMax, "sigma_min" => m.SigmaMin, _ => m.SigmaMax })}"))
            .ToList();
    }

    public bool IsEmpty => Sde is null && BetaMin is null && BetaMax is null && SigmaMin is null && SigmaMax is null && ScheduleScale is null;

    /// <summary>What a user passes, as the refusal message lists it.</summary>
    public const string Help = "--sde vp --beta-min B0 --beta-max B1 (or --sde ve --sigma-min S0 --sigma-max S1), optionally --schedule-scale, "
        + "or --schedule FILE.json holding the same keys (sde, beta_min, beta_max, sigma_min, sigma_max, schedule_scale); docs/bring-your-own-model.md";

    private sealed record Sidecar(string? Sde, double? BetaMin, double? BetaMax, double? SigmaMin, double? SigmaMax, double? ScheduleScale);

    public static ScheduleSettings Load(string path)
    {
        Sidecar? s;
        try
        {
            s = JsonSerializer.Deserialize<Sidecar>(File.ReadAllText(path), new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
                ReadCommentHandling = JsonCommentHandling.Skip,
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        { throw UserInputException.ForSetting("schedule", $"{path}: {(e is JsonException ? "not a schedule file" : "cannot read")} ({e.Message})"); }
        if (s is null) throw UserInputException.ForSetting("schedule", $"{path} holds no schedule");
        return new ScheduleSettings(s.Sde, s.BetaMin, s.BetaMax, s.SigmaMin, s.SigmaMax, s.ScheduleScale);
    }

    /// <summary>These settings, with <paramref name="fallback"/>'s where these have none (options over a sidecar file).</summary>
    public ScheduleSettings Over(ScheduleSettings fallback) => new(Sde ?? fallback.Sde, BetaMin ?? fallback.BetaMin, BetaMax ?? fallback.BetaMax,
        SigmaMin ?? fallback.SigmaMin, SigmaMax ?? fallback.SigmaMax, ScheduleScale ?? fallback.ScheduleScale);

    /// <summary>
    /// The model's metadata with these settings applied (each applied value marked "from options"). Refuses a
    /// model whose file names no SDE when none is given, and an SDE whose parameters come from neither.
    /// </summary>
    public DiffusionMetadata ApplyTo(DiffusionMetadata m, string model)
    {
        bool fileHasSde = m.Origin("sde") == FromFile;
        if (!fileHasSde && Sde is null)
            throw new UserInputException($"{model} carries no diffusion schedule (no MemristorGrid metadata, as a PyTorch export): say which SDE it was trained with: {Help}");
        string sde = Sde ?? m.SdeKind;
        if (sde is not ("vp" or "ve")) throw UserInputException.ForSetting("sde", $"must be vp or ve (got {sde})");
        var origins = new Dictionary<string, string>(m.Origins);
        double Pick(string key, double? given, double current)
        {
            if (given is { } v)
            {
                if (!double.IsFinite(v)) throw UserInputException.ForSetting(key.Replace('_', '-'), $"must be a finite number (got {v})");
                origins[key] = FromOptions;
                return v;
            }
            return current;
        }
        var result = m with
        {
            SdeKind = sde,
            BetaMin = Pick("beta_min", BetaMin, m.BetaMin),
            BetaMax = Pick("beta_max", BetaMax, m.BetaMax),
            SigmaMin = Pick("sigma_min", SigmaMin, m.SigmaMin),
            SigmaMax = Pick("sigma_max", SigmaMax, m.SigmaMax),
            SamplingScheduleScale = Pick("schedule_scale", ScheduleScale, m.SamplingScheduleScale),
        };
        if (Sde is not null) origins["sde"] = FromOptions;
        try { result.CreateSde(); }
        catch (UserInputException e) { throw new UserInputException($"{model}: {e.Message}"); }
        return result with { Origins = origins };
    }

    private static string Describe(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
