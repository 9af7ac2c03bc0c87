namespace MemristorGrid.Engine.Training;

/// <summary>Training settings; defaults are the paper's unconditional recipe (see PAPER.md).</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 10_000;
    public int HiddenWidth { get; init; } = 14;
    public int HiddenLayers { get; init; } = 2;

    /// <summary>Deeper than this is refused before any work (a 100 000-layer request once trained past two minutes).</summary>
    public const int MaxHiddenLayers = 64;
    public int BatchSize { get; init; } = 512;
    public double LearningRate { get; init; } = 2e-4;
    public double WeightDecay { get; init; } = 1e-4;
    public double GradientClipNorm { get; init; } = 0.1;
    public double EmaDecay { get; init; } = 0.95;
    public double LabelDropout { get; init; } = 0.1;

    /// <summary>Hardware-aware weight noise: every weight and bias × (1 + ε), ε ~ N(0, σ²) on each forward pass.</summary>
    public double NoiseStd { get; init; } = 0.1;

    /// <summary>Draws with |ε| ≥ limit are replaced by a uniform draw in [−limit, limit].</summary>
    public double NoiseLimit { get; init; } = 0.2;

    public double SaturationPenalty { get; init; } = 1e-7;
    public double SaturationThreshold { get; init; } = 1.5;

    /// <summary>Optional hard saturation of the hidden ReLU (the analog activation's rail).</summary>
    public double? Saturation { get; init; }
    public double OutputGain { get; init; } = 5.0;

    /// <summary>ω ~ N(0, scale²) for the random-Fourier time embedding.</summary>
    public double TimeFrequencyScale { get; init; } = 1.0;
    public double BetaMin { get; init; } = 0.001;
    public double BetaMax { get; init; } = 0.5;
    public double MinTime { get; init; } = 1e-5;

    /// <summary>Schedule scale written into the model for sampling (paper: 2 uncond., 1.5 cond.).</summary>
    public double SamplingScheduleScale { get; init; } = 2.0;
    public ulong Seed { get; init; } = 1;

    /// <summary>Training for a hardware profile (<see cref="ChipDraw"/>): every step trains on a freshly programmed chip of this
    /// profile, with its read noise and rails; null = the paper's recipe alone.</summary>
    public Profiles.HardwareProfile? Profile { get; init; }

    /// <summary>After every update, clip each crossbar layer's weights and biases to ±k standard deviations of that layer's
    /// values (aihwkit's weight clipping), so that no outlier sets the layer's conductance scale; null = no clipping.</summary>
    public double? WeightClip { get; init; }

    public void Validate()
    {
        static void Require(bool ok, string setting, string problem) => UserInputException.Require(ok, setting, problem);
        Require(Epochs >= 1, "epochs", $"must be at least 1 (got {Epochs})");
        Require(HiddenWidth >= 2 && HiddenWidth % 2 == 0, "hidden_width", $"must be an even number ≥ 2 (got {HiddenWidth}): the time embedding has a sin and a cos channel per frequency");
        Require(HiddenLayers is >= 1 and <= MaxHiddenLayers, "hidden_layers", $"must be 1 … {MaxHiddenLayers} (got {HiddenLayers}): the paper's network has 2, and each layer is one more pass through the crossbars per evaluation");
        Require(BatchSize >= 1, "batch_size", $"must be at least 1 (got {BatchSize})");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "learning_rate", $"must be positive (got {LearningRate})");
        Require(WeightDecay >= 0, "weight_decay", $"must be ≥ 0 (got {WeightDecay})");
        Require(GradientClipNorm > 0, "gradient_clip_norm", $"must be positive (got {GradientClipNorm})");
        Require(EmaDecay is >= 0 and < 1, "ema_decay", $"must be in [0, 1) (got {EmaDecay})");
        Require(LabelDropout is >= 0 and < 1, "label_dropout", $"must be in [0, 1) (got {LabelDropout})");
        Require(NoiseStd >= 0 && double.IsFinite(NoiseStd), "noise_std", $"must be ≥ 0 (got {NoiseStd})");
        Require(NoiseLimit > 0 && double.IsFinite(NoiseLimit), "noise_limit", $"must be positive (got {NoiseLimit})");
        Require(SaturationPenalty >= 0, "saturation_penalty", $"must be ≥ 0 (got {SaturationPenalty})");
        Require(Saturation is null || Saturation > 0, "saturation", $"must be positive (got {Saturation})");
        Require(OutputGain > 0 && double.IsFinite(OutputGain), "output_gain", $"must be positive (got {OutputGain})");
        Require(TimeFrequencyScale > 0, "time_frequency_scale", $"must be positive (got {TimeFrequencyScale})");
        Require(BetaMin >= 0 && BetaMax > BetaMin, "beta_max", $"must exceed beta_min ≥ 0 (got β₀ = {BetaMin}, β₁ = {BetaMax})");
        Require(MinTime > 0 && MinTime < 1, "min_time", $"must be in (0, 1) (got {MinTime})");
        Require(SamplingScheduleScale > 0, "sampling_schedule_scale", $"must be positive (got {SamplingScheduleScale})");
        Require(WeightClip is null || (WeightClip > 0 && double.IsFinite(WeightClip.Value)), "weight_clip", $"must be positive (got {WeightClip})");
    }
}
