using System.Text.Json;
using System.Text.Json.Serialization;

namespace MemristorGrid.Engine.Profiles;

/// <summary>
/// Everything the simulator knows about a hardware deployment, as data: devices, mapping, peripherals,
/// activation circuits, controller, integrator and interconnect. Loaded from JSON (snake_case keys,
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

    /// <summary>A preset name (ideal, rram-180nm, mcu-demo) or the path of a profile JSON file.</summary>
    public static HardwareProfile Resolve(string nameOrPath)
    {
        if (Presets.Contains(nameOrPath)) return Parse(PresetText(nameOrPath), $"preset {nameOrPath}");
        if (!File.Exists(nameOrPath))
            throw UserInputException.ForSetting("profile", $"{nameOrPath}: no such preset ({string.Join(", ", Presets)}) or file");
        string text;
        try { text = File.ReadAllText(nameOrPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw UserInputException.ForSetting("profile", $"{nameOrPath}: cannot read the file ({e.Message})"); }
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
            .Concat(Tia.Problems()).Concat(Activation.Problems()).Concat(Controller.Problems()).Concat(Integrator.Problems()).Concat(Interconnect.Problems());
        foreach (var p in own) yield return p;
        if (Device.ReadNoiseSigma > 0 && Controller.UpdatePeriodSeconds == 0)
            yield return "device.read_noise_sigma > 0 needs controller.update_period_seconds > 0 (read noise is redrawn once per update period)";
        if (Controller.UpdatePeriodSeconds > Integrator.TimeConstantSeconds)
            yield return $"controller.update_period_seconds ({Controller.UpdatePeriodSeconds}) exceeds integrator.time_constant_seconds ({Integrator.TimeConstantSeconds}): the whole generation would be one update";
    }
}
