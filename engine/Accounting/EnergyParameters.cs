using System.Globalization;
using System.Text.Json.Nodes;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Accounting;

/// <summary>
/// Which profile parameters each energy component depends on (the formulas of <see cref="EnergyModel"/>, read off
/// docs/hardware-model.md's table), so every component can say what its value rests on and how far it moves across
/// each parameter's band. The crossbar cells are integrated from the signals; they rest on the conductances and the
/// signal scale only.
/// </summary>
public static class EnergyParameters
{
    /// <summary>The parameters component <paramref name="component"/> depends on under <paramref name="profile"/>
    /// (the op-amps' power from the bandwidth model or from the groups' explicit powers).</summary>
    public static IReadOnlyList<string> Of(string component, HardwareProfile profile)
    {
        bool bandwidth = profile.Opamp.IsBandwidthModel;
        // A derived loop's settling times are outputs of the design (its keys are appended below), not parameters.
        bool derived = profile.Loop.Derive;
        string[] tia = bandwidth ? ["opamp.power_per_bandwidth_watts_per_hertz", "opamp.settling_bits", .. derived ? Array.Empty<string>() : ["tia.settling_seconds"]] : ["tia.static_power_watts"];
        string[] activation = bandwidth ? ["opamp.power_per_bandwidth_watts_per_hertz", "opamp.settling_bits", .. derived ? Array.Empty<string>() : ["activation.delay_seconds"]] : ["activation.static_power_watts"];
        string[] integrator = bandwidth ? ["opamp.power_per_bandwidth_watts_per_hertz", "opamp.integrator_bandwidth_ratio"] : ["integrator.static_power_watts"];
        string[] dacUpdates = ["controller.dac_energy_per_update_joules"];
        string[] keys = component switch
        {
            "crossbar_cells" => ["signal.volts_per_unit"],
            "tia" => tia,
            "tile_converters" => ["adc.energy_per_conversion_joules", "dac.energy_per_conversion_joules", "adc.sample_rate_hz"],
            "interconnect" => ["interconnect.energy_per_bit_joules", "adc.energy_per_conversion_joules", "adc.sample_rate_hz"],
            "activation_circuits" => activation,
            "embedding_dacs" or "coefficient_dacs" or "noise_dacs" or "initial_condition_dacs" => dacUpdates,
            "integrators" => integrator,
            "controller" => ["controller.static_power_watts", "controller.lut_read_energy_joules"],
            "readout_adc" => ["adc.energy_per_conversion_joules"],
            _ => throw new ArgumentException($"no energy component '{component}'"),
        };
        // A derived loop sets RC and the op-amps' settling from the delay budget and the node's fastest op-amp: every
        // component paid by the second or by the bandwidth rests on them too (the DACs and the readout count conversions).
        bool countsConversionsOnly = component is "embedding_dacs" or "coefficient_dacs" or "noise_dacs" or "initial_condition_dacs" or "readout_adc";
        return derived && !countsConversionsOnly ? [.. keys, "loop.delay_budget", "loop.opamp_max_bandwidth_hertz"] : keys;
    }

    /// <summary>Every parameter any component can depend on: the keys <c>energy_figures</c> may name.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        "signal.volts_per_unit", "opamp.power_per_bandwidth_watts_per_hertz", "opamp.settling_bits", "opamp.integrator_bandwidth_ratio",
        "tia.settling_seconds", "tia.static_power_watts", "activation.delay_seconds", "activation.static_power_watts", "integrator.static_power_watts",
        "adc.energy_per_conversion_joules", "dac.energy_per_conversion_joules", "adc.sample_rate_hz", "interconnect.energy_per_bit_joules",
        "controller.dac_energy_per_update_joules", "controller.static_power_watts", "controller.lut_read_energy_joules",
        "loop.delay_budget", "loop.opamp_max_bandwidth_hertz",
    ];

    /// <summary>Every energy parameter's value in <paramref name="profile"/> (one serialisation for all of them); a key the
    /// profile holds no number for (an unset op-amp figure) is absent.</summary>
    public static IReadOnlyDictionary<string, double> Values(HardwareProfile profile)
    {
        var root = JsonNode.Parse(profile.ToJson());
        var values = new Dictionary<string, double>();
        foreach (var key in All)
        {
            JsonNode? node = root;
            foreach (var part in key.Split('.')) node = node?[part];
            if (node is JsonValue v && v.TryGetValue(out double d)) values[key] = d;
        }
        return values;
    }

    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
