using System.Globalization;
using MemristorGrid.Engine.Diffusion;

namespace MemristorGrid.Engine.Networks;

/// <summary>
/// What a score network needs around it to be sampled and judged: its SDE, the sampling schedule
/// scale, the task it was trained on (so metrics can default to that reference), and class names.
/// Stored in the ONNX file's metadata_props.
/// </summary>
public sealed record DiffusionMetadata
{
    public string SdeKind { get; init; } = "vp";
    public double BetaMin { get; init; } = 0.001;
    public double BetaMax { get; init; } = 0.5;
    public double SigmaMin { get; init; } = 0.01;
    public double SigmaMax { get; init; } = 10.0;

    /// <summary>Schedule scale the sampler applies by default (paper: 2 uncond., 1.5 cond.).</summary>
    public double SamplingScheduleScale { get; init; } = 1.0;

    /// <summary>Training task: "ring", "hku", "gmm…" or "csv:PATH"; empty when unknown (foreign model).</summary>
    public string Task { get; init; } = "";

    /// <summary>Set on import when <see cref="Task"/> names a file outside the model's folder (Data.TaskSpec.OutsideModelFolder):
    /// memgrid then refuses to read it unless the user names it (--reference-data). Not written to a model.</summary>
    public string? TaskFileOutsideModelFolder { get; init; }

    /// <summary>SHA-256 of a CSV training file, to warn when the reference file changed.</summary>
    public string TaskSha256 { get; init; } = "";

    /// <summary>Class names in label order; empty for an unconditional model.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>Where each schedule value came from (keys sde, beta_min, beta_max, sigma_min, sigma_max, schedule_scale):
    /// <see cref="ScheduleSettings.FromFile"/>, <see cref="ScheduleSettings.FromOptions"/> or <see cref="ScheduleSettings.Default"/>.
    /// A network made in memory (training, tests) counts as its own file.</summary>
    public IReadOnlyDictionary<string, string> Origins { get; init; } = new Dictionary<string, string>();

    public string Origin(string key) => Origins.TryGetValue(key, out var o) ? o : ScheduleSettings.FromFile;

    /// <summary>The ONNX ops of a label path the importer tabulated for the controller (e.g. "OneHot → Cast → Gemm → …");
    /// "Gather" for a plain table; empty for an unconditional model or one made in memory. Not written to a model.</summary>
    public string LabelPath { get; init; } = "";

    /// <summary>For a model of images in pixel space (a U-Net): the VAE file whose metrics classifier and held-out real images judge
    /// the generated images (memgrid.image_judge, resolved against the model's folder); empty for other models.</summary>
    public string ImageJudge { get; init; } = "";

    /// <summary>Set when <see cref="ImageJudge"/> names a file outside the model's folder, which memgrid then refuses to read.</summary>
    public string? ImageJudgeOutsideModelFolder { get; init; }

    /// <summary>The pixel values the model generates that mean black and white (memgrid.image_range; e.g. −1, 1).</summary>
    public (double Lo, double Hi) ImageRange { get; init; } = (0, 1);

    /// <summary>Free-form provenance (seed, epochs, trainer settings).</summary>
    public IReadOnlyDictionary<string, string> Provenance { get; init; } = new Dictionary<string, string>();

    public DiffusionSde CreateSde() => SdeKind switch
    {
        "vp" => new VpSde(BetaMin, BetaMax),
        "ve" => new VeSde(SigmaMin, SigmaMax),
        _ => throw new UserInputException($"unknown SDE kind '{SdeKind}' (expected vp or ve)"),
    };

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
