using System.CommandLine;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// The one map from the engine's setting keys (what its errors name) to this command line's options.
/// A key without an option here (e.g. <c>end_time</c>) is printed as the engine names it.
/// </summary>
internal static class SettingNames
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["samples"] = "--samples",
        ["labels"] = "--labels",
        ["profile"] = "--profile",
        ["for_profile"] = "--for-profile",
        ["out"] = "--out",
        ["reference_data"] = "--reference-data",
        ["guidance_weight"] = "--guidance",
        ["schedule_scale"] = "--schedule-scale",
        ["lane_size"] = "--lane-size",
        ["relative_tolerance"] = "--rtol",
        ["absolute_tolerance"] = "--atol",
        ["substeps"] = "--substeps",
        ["continuous_segments"] = "--continuous-segments",
        ["steps"] = "--steps",
        ["batch_size"] = "--batch-size",
        ["chips"] = "--chips",
        ["sigmas"] = "--sigmas",
        ["set"] = "--set",
        ["model"] = "--model",
        ["parallel"] = "--parallel",
        ["parameter"] = "--parameter",
        ["max_ratio"] = "--max-ratio",
        ["max_drop"] = "--max-drop",
        ["metric"] = "--metric",
        ["epochs"] = "--epochs",
        ["hidden_width"] = "--hidden",
        ["hidden_layers"] = "--layers",
        ["learning_rate"] = "--lr",
        ["weight_decay"] = "--weight-decay",
        ["weight_clip"] = "--weight-clip",
        ["ema_decay"] = "--ema",
        ["label_dropout"] = "--label-dropout",
        ["noise_std"] = "--noise-std",
        ["noise_limit"] = "--noise-limit",
        ["saturation_penalty"] = "--saturation-penalty",
        ["saturation"] = "--saturation",
        ["output_gain"] = "--output-gain",
        ["time_frequency_scale"] = "--time-frequency-scale",
        ["beta_max"] = "--beta-max",
        ["beta_min"] = "--beta-min",
        ["sampling_schedule_scale"] = "--schedule-scale",
        ["hidden"] = "--hidden",
        ["latent"] = "--latent",
        ["classes"] = "--classes",
        ["kl_weight"] = "--kl-weight",
        ["prior_radius"] = "--prior-radius",
        ["latent_scale"] = "--latent-scale",
        ["classifier_hidden"] = "--classifier-hidden",
        ["classifier_epochs"] = "--classifier-epochs",
        ["decoder"] = "--decoder",
        ["baseline_report"] = "--baseline-report",
        ["device_age"] = "--device-age",
    };

    /// <summary>The option that sets <paramref name="setting"/>, or the key itself.</summary>
    public static string Flag(string setting) => Flags.TryGetValue(setting, out var flag) ? flag : setting;

    public static IEnumerable<string> FlagNames => Flags.Values.Distinct();
}

/// <summary>The reference data a run's quality is measured against: <c>--reference-data</c> on every command.</summary>
internal static class ReferenceData
{
    public const string Description = "Reference for metrics: ring, hku, gmm16 or PATH.csv (default: the model's training task).";

    public static Option<string?> Create() => new("--reference-data") { Description = Description };

    /// <summary>baseline's old spelling of --reference-data, kept for one release.</summary>
    public static Option<string?> Deprecated() => new("--reference") { Description = "Deprecated: use --reference-data.", Hidden = true };

    public static string? Value(ParseResult parse, Option<string?> option, Option<string?>? deprecated = null)
    {
        if (deprecated is not null && parse.GetValue(deprecated) is { } old)
        {
            parse.InvocationConfiguration.Error.WriteLine("warning: --reference is deprecated and will be removed in the next release; use --reference-data");
            return parse.GetValue(option) ?? old;
        }
        return parse.GetValue(option);
    }
}
