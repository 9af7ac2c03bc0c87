using System.Globalization;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Experiments;

/// <summary>
/// One device or circuit figure a tolerance search bisects: a profile key between the value at which the machine is as good as
/// it gets (<see cref="Good"/>, e.g. no relaxation) and the worst value asked about (<see cref="Bad"/>). The search walks the
/// fraction f ∈ [0, 1] of the way from good to bad — linearly, or geometrically for figures spanning decades — and integer keys
/// (levels, converter bits) are rounded toward the good end, so the value reported as met was run.
/// </summary>
public sealed record ToleranceParameter(string Key, double Good, double Bad, bool Logarithmic, bool Integer)
{
    /// <summary><c>KEY=GOOD:BAD</c> or <c>KEY=GOOD:BAD:log</c>; whether the key holds an integer comes from the profile's schema.</summary>
    public static ToleranceParameter Parse(string text)
    {
        int eq = text.IndexOf('=');
        string[] parts = eq > 0 ? text[(eq + 1)..].Split(':', StringSplitOptions.TrimEntries) : [];
        if (eq <= 0 || parts.Length is not (2 or 3) || (parts.Length == 3 && parts[2] != "log"))
            throw UserInputException.ForSetting("parameter", $"'{text}' is not KEY=GOOD:BAD[:log] (e.g. device.write_verify.tolerance_microsiemens=0.1:4:log)");
        string key = text[..eq].Trim();
        double Number(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw UserInputException.ForSetting("parameter", $"'{text}': '{s}' is not a number");
        double good = Number(parts[0]), bad = Number(parts[1]);
        bool log = parts.Length == 3;
        if (good == bad) throw UserInputException.ForSetting("parameter", $"'{text}': the good and the bad end are the same value");
        if (log && (good <= 0 || bad <= 0)) throw UserInputException.ForSetting("parameter", $"'{text}': a logarithmic range needs both ends > 0");
        bool integer = ProfileOverrides.HoldsInteger(key);
        if (integer && (good != Math.Round(good) || bad != Math.Round(bad)))
            throw UserInputException.ForSetting("parameter", $"'{text}': {key} is an integer; give whole numbers");
        return new ToleranceParameter(key, good, bad, log, integer);
    }

    /// <summary>The value a fraction <paramref name="f"/> of the way from good to bad; integers rounded toward the good end.</summary>
    public double At(double f)
    {
        double v = Logarithmic ? Good * Math.Pow(Bad / Good, f) : Good + f * (Bad - Good);
        if (f <= 0) return Good;
        if (f >= 1) return Bad;
        if (!Integer) return v;
        return Bad > Good ? Math.Floor(v + 1e-9) : Math.Ceiling(v - 1e-9);
    }

    public string Format(double value) => Integer ? ((long)Math.Round(value)).ToString(CultureInfo.InvariantCulture) : value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>The profile's own value of the key (a key the profile leaves unset, e.g. continuous levels, counts as the good end).</summary>
    public double Stated(HardwareProfile profile) => StatedNode(profile) is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out double d) ? d : Good;

    /// <summary>The profile's own value of the key as its JSON writes it ("null" when unset), for reports.</summary>
    public string StatedText(HardwareProfile profile) => StatedNode(profile)?.ToJsonString() ?? "null";

    private System.Text.Json.Nodes.JsonNode? StatedNode(HardwareProfile profile)
    {
        System.Text.Json.Nodes.JsonNode? node = System.Text.Json.Nodes.JsonNode.Parse(profile.ToJson());
        foreach (string part in Key.Split('.')) node = node?[part];
        return node;
    }

    /// <summary>The key set to <paramref name="value"/> (as exact text, so the profile's own parser checks it).</summary>
    public HardwareProfile Apply(HardwareProfile profile, double value) =>
        profile.With(Key, Integer ? Format(value) : value.ToString("R", CultureInfo.InvariantCulture)) with { Name = profile.Name };

    /// <summary>The figures a device must meet, searched when none are named: relaxation after write-verify, the verify tolerance,
    /// the write pulse's spread, read noise, conductance levels and the readout ADC's bits (each only where the profile has it).</summary>
    public static IReadOnlyList<ToleranceParameter> Defaults(HardwareProfile profile)
    {
        var list = new List<string>();
        if (profile.Device.WriteVerify is not null)
        {
            list.Add("device.write_verify.relaxation_scale=0:2");
            list.Add("device.write_verify.tolerance_microsiemens=0.1:4:log");
        }
        // The spread of one write pulse: with write-verify it decides how many pulses a tolerance costs, and whether the
        // pulse budget runs out first (a device that never verifies keeps its last write).
        if (profile.Device.ProgrammingNoise.Sigma > 0) list.Add("device.programming_noise.sigma=0:0.3");
        list.Add("device.read_noise_sigma=0:0.1");
        list.Add("device.levels=1024:4:log");
        if (profile.Adc.Bits > 0) list.Add("adc.bits=16:4");
        return list.Select(Parse).ToList();
    }
}

/// <summary>What "good enough" means: the metric against the digital sampler's own — at most <see cref="MaxRatio"/> times it for
/// a lower-is-better metric, at most <see cref="MaxDrop"/> below it for an accuracy.</summary>
public sealed record ToleranceBudget(SweepMetric Metric, double Bound)
{
    public static ToleranceBudget Create(SweepMetric metric, double? maxRatio, double? maxDrop)
    {
        if (metric.HigherIsBetter())
        {
            if (maxRatio is not null) throw UserInputException.ForSetting("max_ratio", $"applies to lower-is-better metrics; {metric.Key()} is an accuracy: give --max-drop");
            double drop = maxDrop ?? 0.01;
            UserInputException.Require(drop >= 0 && drop < 1, "max_drop", $"must be in [0, 1) (got {drop})");
            return new ToleranceBudget(metric, drop);
        }
        if (maxDrop is not null) throw UserInputException.ForSetting("max_drop", $"applies to accuracies; {metric.Key()} is lower-is-better: give --max-ratio");
        double ratio = maxRatio ?? 1.5;
        UserInputException.Require(ratio >= 1 && double.IsFinite(ratio), "max_ratio", $"must be ≥ 1 (got {ratio})");
        return new ToleranceBudget(metric, ratio);
    }

    /// <summary>The largest (or, for an accuracy, the smallest) analog value that meets the budget.</summary>
    public double Limit(double digital) => Metric.HigherIsBetter() ? digital - Bound : digital * Bound;

    public bool Meets(double analog, double digital) => Metric.HigherIsBetter() ? analog >= Limit(digital) : analog <= Limit(digital);

    public string Describe() => Metric.HigherIsBetter()
        ? string.Create(CultureInfo.InvariantCulture, $"{Metric.Key()} at most {Bound:G3} below the digital sampler's")
        : string.Create(CultureInfo.InvariantCulture, $"{Metric.Key()} at most {Bound:G3}× the digital sampler's");
}

/// <summary>One probe of a search: the values it ran, its quality over chips, and whether that meets the budget.</summary>
public sealed record ToleranceProbe(string Search, double Fraction, IReadOnlyList<(string Key, string Value)> Values, ChipStatistics Quality, bool Meets);

/// <summary>
/// A parameter's answer: the largest value (toward the bad end) that met the budget with every other searched parameter at its
/// good end, and the nearest value that did not (null when the whole range met it). <see cref="GoodEndFails"/>: not even the
/// good end met it, so the budget is out of reach through this parameter alone.
/// </summary>
public sealed record ToleranceFinding(ToleranceParameter Parameter, double? Met, double? Failed, bool GoodEndFails, IReadOnlyList<ToleranceProbe> Probes);
