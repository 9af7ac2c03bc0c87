using System.Text.Json;
using System.Text.Json.Serialization;

namespace MemristorGrid.Engine.Profiles;

/// <summary>
/// Everything the simulator knows about a hardware deployment, as data: devices, mapping, peripherals,
/// activation circuits, controller, integrator, interconnect and the tiles' wires. Loaded from JSON (snake_case keys,
/// comments allowed, unknown keys refused); every quantity carries its unit in its name.
/// Signals are voltages throughout: one network unit is <see cref="SignalParameters.VoltsPerUnit"/> volts
/// on every node (integrator output, crossbar rows, TIA and activation outputs, embedding DACs).
/// </summary>
public sealed record HardwareProfile
{
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    public SignalParameters Signal { get; init; } = new();
    public DeviceParameters Device { get; init; } = new();
    public MappingParameters Mapping { get; init; } = new();
    public DacParameters Dac { get; init; } = new();
    public TiaParameters Tia { get; init; } = new();
    public AdcParameters Adc { get; init; } = new();
    public ActivationParameters Activation { get; init; } = new();
    public ControllerParameters Controller { get; init; } = new();
    public IntegratorParameters Integrator { get; init; } = new();
    public InterconnectParameters Interconnect { get; init; } = new();
    public OpampParameters Opamp { get; init; } = new();
    public WireParameters Wires { get; init; } = new();
    public LoopParameters Loop { get; init; } = new();
    public DigitalUnitParameters DigitalUnit { get; init; } = new();

    /// <summary>The energy components (report keys, e.g. <c>readout_adc</c>) whose every parameter comes from a cited
    /// source, each with that source; every other component rests on at least one assumption, and the report says how much energy that is.</summary>
    public Dictionary<string, string> EnergySources { get; init; } = new();

    /// <summary>The evidence behind each parameter the energy depends on (<see cref="Accounting.EnergyParameters.All"/>), by its key:
    /// band, node, kind (silicon, simulation, model, derived, paper or assumption) and source. A parameter without an entry is an assumption.</summary>
    public Dictionary<string, EnergyFigure> EnergyFigures { get; init; } = new();

    /// <summary>The report keys of the energy components (<see cref="Accounting.EnergyBreakdown.Components"/>).</summary>
    public static readonly IReadOnlyList<string> EnergyComponents =
    [
        "crossbar_cells", "tia", "tile_converters", "interconnect", "activation_circuits", "embedding_dacs", "coefficient_dacs", "noise_dacs",
        "integrators", "controller", "readout_adc", "initial_condition_dacs",
    ];

    /// <summary>Static power of one column's TIA: the op-amp figure × the gain–bandwidth its settling needs (the closed-loop
    /// bandwidth times the noise gain), or the explicit value.</summary>
    [JsonIgnore]
    public double TiaPowerWatts => Opamp.PowerPerBandwidthWattsPerHertz is { } k ? k * Tia.GainBandwidthHertz(Opamp) : Tia.StaticPowerWatts;

    /// <summary>Static power of one activation circuit (its op-amp settles within the activation delay).</summary>
    [JsonIgnore]
    public double ActivationPowerWatts => Opamp.PowerPerBandwidthWattsPerHertz is { } k ? k * Opamp.SettlingBandwidthHertz(Activation.DelaySeconds) : Activation.StaticPowerWatts;

    /// <summary>Static power of one integrator channel's op-amp: inversely proportional to RC under the bandwidth model.</summary>
    [JsonIgnore]
    public double IntegratorPowerWatts => Opamp.PowerPerBandwidthWattsPerHertz is { } k ? k * Opamp.IntegratorBandwidthHertz(Integrator.TimeConstantSeconds) : Integrator.StaticPowerWatts;

    /// <summary>The integrator's RC must be at least this many times the loop's settling, or the network is no
    /// longer quasi-static against the integration (an assumption; docs/hardware-model.md, "Timing").</summary>
    public const double MinTimeConstantOverLoopSettling = 10;

    /// <summary>The shortest loop any network can have: two tile layers and one activation between them.</summary>
    [JsonIgnore]
    public double MinimumLoopSettlingSeconds => 2 * Tia.SettlingSeconds + Activation.DelaySeconds;

    public static readonly IReadOnlyList<string> Presets = ["ideal", "rram-180nm", "mcu-demo"];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
        WriteIndented = true,
    };

    /// <summary>The preset's JSON exactly as shipped, comments and sources included.</summary>
    public static string PresetText(string name)
    {
        if (!Presets.Contains(name)) throw new UserInputException($"no preset '{name}' (presets: {string.Join(", ", Presets)})");
        using var stream = typeof(HardwareProfile).Assembly.GetManifestResourceStream($"profiles.{name}.json")
            ?? throw new InvalidOperationException($"preset {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A preset name (ideal, rram-180nm, mcu-demo) or the path of a profile JSON file; <paramref name="setting"/> is the
    /// setting that named it, for the error message.</summary>
    public static HardwareProfile Resolve(string nameOrPath, string setting = "profile")
    {
        if (Presets.Contains(nameOrPath)) return Parse(PresetText(nameOrPath), $"preset {nameOrPath}");
        if (!File.Exists(nameOrPath))
            throw UserInputException.ForSetting(setting, $"{nameOrPath}: no such preset ({string.Join(", ", Presets)}) or file");
        string text;
        try { text = File.ReadAllText(nameOrPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw UserInputException.ForSetting(setting, $"{nameOrPath}: cannot read the file ({e.Message})"); }
        return Parse(text, nameOrPath);
    }

    /// <summary>Parses and validates; <paramref name="source"/> names the file in error messages.</summary>
    public static HardwareProfile Parse(string json, string source)
    {
        HardwareProfile? profile;
        try { profile = JsonSerializer.Deserialize<HardwareProfile>(json, Json); }
        catch (JsonException e)
        {
            string where = e.Path is { Length: > 0 } p ? $" at {p}" : "";
            string what = e.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown key"
                : e.Message.Contains("could not be converted", StringComparison.Ordinal) ? $"invalid value ({FirstSentence(e.Message)})"
                : $"not valid JSON at line {e.LineNumber + 1} ({FirstSentence(e.Message)})";
            throw new UserInputException($"profile {source}{where}: {what}");
        }
        if (profile is null) throw new UserInputException($"profile {source}: the file holds no profile");
        var problems = profile.Problems().ToList();
        if (problems.Count > 0) throw new UserInputException($"profile {source}: {string.Join("; ", problems)}");
        return profile;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>Every violated constraint, named by its JSON key: each group's own, then those that span two groups.</summary>
    public IEnumerable<string> Problems()
    {
        var own = Signal.Problems().Concat(Device.Problems()).Concat(Mapping.Problems()).Concat(Dac.Problems()).Concat(Adc.Problems())
            .Concat(Tia.Problems()).Concat(Activation.Problems()).Concat(Controller.Problems()).Concat(Integrator.Problems()).Concat(Interconnect.Problems()).Concat(Opamp.Problems()).Concat(Wires.Problems()).Concat(Loop.Problems()).Concat(DigitalUnit.Problems());
        foreach (var p in own) yield return p;
        foreach (var key in EnergySources.Keys.Where(k => !EnergyComponents.Contains(k)))
            yield return $"energy_sources.{key}: no such energy component ({string.Join(", ", EnergyComponents)})";
        var values = EnergyFigures.Count > 0 ? Accounting.EnergyParameters.Values(this) : new Dictionary<string, double>();
        foreach (var (key, figure) in EnergyFigures)
        {
            if (!Accounting.EnergyParameters.All.Contains(key))
            {
                yield return $"energy_figures.{key}: no energy parameter of that name ({string.Join(", ", Accounting.EnergyParameters.All)})";
                continue;
            }
            if (!values.TryGetValue(key, out double v)) yield return $"energy_figures.{key}: the profile sets no value for {key}";
            else if (!(double.IsFinite(figure.Low) && double.IsFinite(figure.High) && figure.Low <= v && v <= figure.High))
                yield return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"energy_figures.{key}: the band [{figure.Low}, {figure.High}] must be finite and hold the profile's value {v}");
            if (string.IsNullOrWhiteSpace(figure.Source)) yield return $"energy_figures.{key}.source must say where the figure comes from";
        }
        if (Opamp.IsBandwidthModel)
            foreach (var (key, watts) in new[] { ("tia", Tia.StaticPowerWatts), ("activation", Activation.StaticPowerWatts), ("integrator", Integrator.StaticPowerWatts) })
                if (watts != 0) yield return $"{key}.static_power_watts is set, but opamp.power_per_bandwidth_watts_per_hertz derives it from the bandwidth: leave one of them out";
        if (Loop.Derive)
        {
            // RC, the settling times and the update period are the loop design's outputs (Accounting.LoopDesigner).
            if (!Opamp.IsBandwidthModel) yield return "loop.derive needs opamp.power_per_bandwidth_watts_per_hertz: the op-amps' power follows from the bandwidth the design gives them";
            if (Device.ReadNoiseSigma > 0 && Loop.ControllerUpdates == 0)
                yield return "device.read_noise_sigma > 0 needs loop.controller_updates > 0 (read noise is redrawn once per update)";
            yield break;
        }
        if (Device.ReadNoiseSigma > 0 && Controller.UpdatePeriodSeconds == 0)
            yield return "device.read_noise_sigma > 0 needs controller.update_period_seconds > 0 (read noise is redrawn once per update period)";
        if (Controller.UpdatePeriodSeconds > Integrator.TimeConstantSeconds)
            yield return $"controller.update_period_seconds ({Controller.UpdatePeriodSeconds}) exceeds integrator.time_constant_seconds ({Integrator.TimeConstantSeconds}): the whole generation would be one update";
        if (Integrator.TimeConstantSeconds < MinTimeConstantOverLoopSettling * MinimumLoopSettlingSeconds)
            yield return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"integrator.time_constant_seconds ({Integrator.TimeConstantSeconds * 1e9:G4} ns) must be at least {MinTimeConstantOverLoopSettling}× the loop's settling, ")
                + string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"which is at least 2 × tia.settling_seconds + activation.delay_seconds = {MinimumLoopSettlingSeconds * 1e9:G4} ns: a faster integrator needs faster TIAs and activations");
        if (Opamp.IsBandwidthModel)
        {
            if (!(Tia.SettlingSeconds > 0)) yield return "tia.settling_seconds must be > 0 when opamp.power_per_bandwidth_watts_per_hertz sets the TIAs' power";
            if (!(Activation.DelaySeconds > 0)) yield return "activation.delay_seconds must be > 0 when opamp.power_per_bandwidth_watts_per_hertz sets the activation op-amps' power";
        }
    }
}
