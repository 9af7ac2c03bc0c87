using System.Text.Json;
using System.Text.Json.Serialization;

namespace MemristorGrid.Engine.Hardware;

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
            throw new UserInputException($"--profile {nameOrPath}: no such preset ({string.Join(", ", Presets)}) or file");
        string text;
        try { text = File.ReadAllText(nameOrPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new UserInputException($"--profile {nameOrPath}: cannot read the file ({e.Message})"); }
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

    /// <summary>Every violated constraint, named by its JSON key.</summary>
    public IEnumerable<string> Problems()
    {
        static bool Pos(double v) => v > 0 && double.IsFinite(v);
        static bool NonNeg(double v) => v >= 0 && double.IsFinite(v);
        if (!Pos(Signal.VoltsPerUnit)) yield return "signal.volts_per_unit must be > 0";

        var d = Device;
        if (!NonNeg(d.GMinMicrosiemens)) yield return "device.g_min_microsiemens must be ≥ 0";
        if (!Pos(d.GMaxMicrosiemens)) yield return "device.g_max_microsiemens must be > 0";
        if (!(d.GMinMicrosiemens < d.GMaxMicrosiemens)) yield return $"device.g_min_microsiemens ({d.GMinMicrosiemens}) must be below device.g_max_microsiemens ({d.GMaxMicrosiemens})";
        if (d.Levels is < 2) yield return $"device.levels must be ≥ 2, or null for continuous conductances (got {d.Levels})";
        var pn = d.ProgrammingNoise;
        if (!NonNeg(pn.Sigma)) yield return "device.programming_noise.sigma must be ≥ 0";
        if (!NonNeg(pn.Truncation)) yield return "device.programming_noise.truncation must be ≥ 0";
        if (pn.Model == ProgrammingNoiseModel.TruncatedMultiplicative && pn.Sigma > 0 && !(pn.Truncation > 0))
            yield return "device.programming_noise.truncation must be > 0 for the truncated-multiplicative model";
        if (!NonNeg(pn.FitInterceptMicrosiemens)) yield return "device.programming_noise.fit_intercept_microsiemens must be ≥ 0";
        if (!double.IsFinite(pn.FitSlope)) yield return "device.programming_noise.fit_slope must be finite";
        if (!NonNeg(d.ReadNoiseSigma)) yield return "device.read_noise_sigma must be ≥ 0";
        if (!NonNeg(d.Drift.Nu)) yield return "device.drift.nu must be ≥ 0";
        if (!NonNeg(d.Drift.NuSigma)) yield return "device.drift.nu_sigma must be ≥ 0";
        if (!Pos(d.Drift.T0Seconds)) yield return "device.drift.t0_seconds must be > 0";
        if (!NonNeg(d.Drift.AgeSeconds)) yield return "device.drift.age_seconds must be ≥ 0";
        if (!(d.StuckAtGminRate is >= 0 and <= 1)) yield return "device.stuck_at_gmin_rate must be in [0, 1]";
        if (!(d.StuckAtGmaxRate is >= 0 and <= 1)) yield return "device.stuck_at_gmax_rate must be in [0, 1]";
        if (d.StuckAtGminRate + d.StuckAtGmaxRate > 1) yield return "device stuck-at rates add up to more than 1";

        var m = Mapping;
        if (m.TileRows < 2) yield return $"mapping.tile_rows must be ≥ 2 (got {m.TileRows})";
        if (m.TileCols < 1) yield return $"mapping.tile_cols must be ≥ 1 (got {m.TileCols})";
        if (m.TilesPerChip < 1) yield return $"mapping.tiles_per_chip must be ≥ 1 (got {m.TilesPerChip})";

        foreach (var p in QuantizerProblems("dac", Dac.Bits, Dac.FullScaleVolts)) yield return p;
        if (!NonNeg(Dac.EnergyPerConversionJoules)) yield return "dac.energy_per_conversion_joules must be ≥ 0";
        foreach (var p in QuantizerProblems("adc", Adc.Bits, Adc.FullScaleVolts)) yield return p;
        if (!NonNeg(Adc.EnergyPerConversionJoules)) yield return "adc.energy_per_conversion_joules must be ≥ 0";
        if (!NonNeg(Adc.ConversionSeconds)) yield return "adc.conversion_seconds must be ≥ 0";
        if (!Pos(Adc.SampleRateHz)) yield return "adc.sample_rate_hz must be > 0";
        if (Tia.SaturationVolts is { } ts && !Pos(ts)) yield return "tia.saturation_volts must be > 0 or null (no saturation)";
        if (!NonNeg(Tia.StaticPowerWatts)) yield return "tia.static_power_watts must be ≥ 0";
        if (!NonNeg(Tia.SettlingSeconds)) yield return "tia.settling_seconds must be ≥ 0";
        if (Activation.SaturationVolts is { } asat && !Pos(asat)) yield return "activation.saturation_volts must be > 0 or null (no saturation)";
        if (!NonNeg(Activation.StaticPowerWatts)) yield return "activation.static_power_watts must be ≥ 0";
        if (!NonNeg(Activation.DelaySeconds)) yield return "activation.delay_seconds must be ≥ 0";

        var c = Controller;
        if (!NonNeg(c.UpdatePeriodSeconds)) yield return "controller.update_period_seconds must be ≥ 0 (0 = continuous)";
        foreach (var p in QuantizerProblems("controller.embedding_dac", c.EmbeddingDacBits, c.EmbeddingFullScaleVolts)) yield return p;
        if (c.CoefficientDacBits < 0 || c.CoefficientDacBits > 24) yield return "controller.coefficient_dac_bits must be 0 (ideal) … 24";
        if (!NonNeg(c.DacEnergyPerUpdateJoules)) yield return "controller.dac_energy_per_update_joules must be ≥ 0";
        if (!NonNeg(c.StaticPowerWatts)) yield return "controller.static_power_watts must be ≥ 0";
        if (d.ReadNoiseSigma > 0 && c.UpdatePeriodSeconds == 0)
            yield return "device.read_noise_sigma > 0 needs controller.update_period_seconds > 0 (read noise is redrawn once per update period)";

        var i = Integrator;
        if (!Pos(i.TimeConstantSeconds)) yield return "integrator.time_constant_seconds must be > 0";
        if (i.OpampGain is { } g && !(g > 1 && double.IsFinite(g))) yield return "integrator.opamp_gain must be > 1 or null (infinite)";
        if (!NonNeg(i.OffsetSigmaVolts)) yield return "integrator.offset_sigma_volts must be ≥ 0";
        if (i.OffsetsVolts.Any(v => !double.IsFinite(v))) yield return "integrator.offsets_volts must be finite";
        if (!NonNeg(i.NoiseScale)) yield return "integrator.noise_scale must be ≥ 0";
        if (i.SaturationVolts is { } isat && !Pos(isat)) yield return "integrator.saturation_volts must be > 0 or null (no rails)";
        if (!NonNeg(i.StaticPowerWatts)) yield return "integrator.static_power_watts must be ≥ 0";
        if (c.UpdatePeriodSeconds > i.TimeConstantSeconds)
            yield return $"controller.update_period_seconds ({c.UpdatePeriodSeconds}) exceeds integrator.time_constant_seconds ({i.TimeConstantSeconds}): the whole generation would be one update";

        if (!NonNeg(Interconnect.EnergyPerBitJoules)) yield return "interconnect.energy_per_bit_joules must be ≥ 0";
        if (!NonNeg(Interconnect.LatencyPerHopSeconds)) yield return "interconnect.latency_per_hop_seconds must be ≥ 0";
    }

    private static IEnumerable<string> QuantizerProblems(string key, int bits, double fullScale)
    {
        if (bits < 0 || bits > 24) yield return $"{key}_bits must be 0 (ideal) … 24 (got {bits})";
        if (!(fullScale > 0) || !double.IsFinite(fullScale)) yield return $"{key} full_scale_volts must be > 0";
    }
}

/// <summary>How network values become voltages.</summary>
public sealed record SignalParameters
{
    /// <summary>Volts that represent one network unit on every analog node.</summary>
    public double VoltsPerUnit { get; init; } = 0.1;
}

public enum ProgrammingNoiseModel { None, TruncatedMultiplicative, GaussianProportional, RramFit }

public sealed record ProgrammingNoiseParameters
{
    public ProgrammingNoiseModel Model { get; init; } = ProgrammingNoiseModel.None;

    /// <summary>Relative σ for the multiplicative and proportional models: G·(1 + ε), ε ~ N(0, σ²).</summary>
    public double Sigma { get; init; }

    /// <summary>Truncated-multiplicative only: draws with |ε| ≥ truncation are redrawn uniformly in [−truncation, truncation].</summary>
    public double Truncation { get; init; }

    /// <summary>RRAM fit only: σ_G = intercept + slope·G (µS), clamped at 0.</summary>
    public double FitInterceptMicrosiemens { get; init; }
    public double FitSlope { get; init; }
}

public sealed record DriftParameters
{
    /// <summary>Drift exponent ν in G(t) = G₀·(t/t₀)^−ν.</summary>
    public double Nu { get; init; }

    /// <summary>Device-to-device spread of ν (each device draws ν ~ N(nu, nu_sigma²), floored at 0).</summary>
    public double NuSigma { get; init; }
    public double T0Seconds { get; init; } = 1;

    /// <summary>Global drift compensation: the read-out gain is raised by (age/t₀)^ν of the mean ν, as
    /// a calibration read after ageing would (aihwkit's global drift compensation).</summary>
    public bool Compensated { get; init; }

    /// <summary>Time since programming when the run starts.</summary>
    public double AgeSeconds { get; init; }
}

public sealed record DeviceParameters
{
    public double GMinMicrosiemens { get; init; } = 1;
    public double GMaxMicrosiemens { get; init; } = 100;

    /// <summary>Programmable conductance levels, evenly spaced over [Gmin, Gmax]; null = continuous.</summary>
    public int? Levels { get; init; }
    public ProgrammingNoiseParameters ProgrammingNoise { get; init; } = new();

    /// <summary>Relative σ of the conductance fluctuation on each read (redrawn every update period).</summary>
    public double ReadNoiseSigma { get; init; }
    public DriftParameters Drift { get; init; } = new();
    public double StuckAtGminRate { get; init; }
    public double StuckAtGmaxRate { get; init; }
}

public enum WeightScale { Layer, Column }

public sealed record MappingParameters
{
    /// <summary>Rows (inputs, including a layer's bias row) one crossbar tile holds.</summary>
    public int TileRows { get; init; } = 64;

    /// <summary>Columns (outputs) one tile holds; each column is a differential pair of devices.</summary>
    public int TileCols { get; init; } = 64;
    public int TilesPerChip { get; init; } = 16;

    /// <summary>Whether one weight-to-conductance scale serves a whole layer or each output column.</summary>
    public WeightScale WeightScale { get; init; } = WeightScale.Layer;

    /// <summary>Every tile input arrives through a DAC (a digital-interface macro) instead of only chip-boundary inputs.</summary>
    public bool DigitalTileInputs { get; init; }
}

public sealed record DacParameters
{
    /// <summary>Resolution of a tile's input DAC; 0 = ideal.</summary>
    public int Bits { get; init; }
    public double FullScaleVolts { get; init; } = 1.0;
    public double EnergyPerConversionJoules { get; init; }
}

public sealed record TiaParameters
{
    /// <summary>Output rails of the sense amplifier (±volts); null = none.</summary>
    public double? SaturationVolts { get; init; }
    public double StaticPowerWatts { get; init; }

    /// <summary>Bit-line plus TIA settling after an input change.</summary>
    public double SettlingSeconds { get; init; }
}

public sealed record AdcParameters
{
    /// <summary>Resolution where a signal is digitised (chip boundaries, final readout); 0 = ideal.</summary>
    public int Bits { get; init; }
    public double FullScaleVolts { get; init; } = 1.0;
    public double EnergyPerConversionJoules { get; init; }
    public double ConversionSeconds { get; init; }

    /// <summary>Rate at which a digitised signal is re-sampled while the loop runs.</summary>
    public double SampleRateHz { get; init; } = 1e6;
}

public sealed record ActivationParameters
{
    /// <summary>Upper rail of the ReLU circuit (volts); null = none beyond the network's own.</summary>
    public double? SaturationVolts { get; init; }
    public double StaticPowerWatts { get; init; }
    public double DelaySeconds { get; init; }
}

public sealed record ControllerParameters
{
    /// <summary>Zero-order-hold period of the embedding, coefficient and noise DACs; 0 = continuous.</summary>
    public double UpdatePeriodSeconds { get; init; }
    public int EmbeddingDacBits { get; init; }
    public double EmbeddingFullScaleVolts { get; init; } = 1.0;
    public int CoefficientDacBits { get; init; }
    public double DacEnergyPerUpdateJoules { get; init; }
    public double StaticPowerWatts { get; init; }
}

public enum NoiseScaling { SqrtBeta, Beta }

public sealed record IntegratorParameters
{
    /// <summary>RC: physical seconds per unit of diffusion time.</summary>
    public double TimeConstantSeconds { get; init; } = 1e-5;

    /// <summary>Open-loop DC gain A of the integrator's op-amp (leak x/A); null = infinite.</summary>
    public double? OpampGain { get; init; }

    /// <summary>σ of each channel's random input offset (volts), drawn once per chip seed.</summary>
    public double OffsetSigmaVolts { get; init; }

    /// <summary>Deliberate per-channel offsets (volts), channel i uses entry i mod length.</summary>
    public double[] OffsetsVolts { get; init; } = [];
    public NoiseScaling NoiseScaling { get; init; } = NoiseScaling.SqrtBeta;
    public double NoiseScale { get; init; } = 1.0;

    /// <summary>Output rails (±volts); null = none.</summary>
    public double? SaturationVolts { get; init; }
    public double StaticPowerWatts { get; init; }
}

public sealed record InterconnectParameters
{
    public double EnergyPerBitJoules { get; init; }
    public double LatencyPerHopSeconds { get; init; }
}
