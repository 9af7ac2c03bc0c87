namespace MemristorGrid.Engine.Onnx;

/// <summary>Names used by our export: graph inputs/outputs and metadata keys.</summary>
public static class OnnxNames
{
    public const string InputX = "x";
    public const string InputT = "t";
    public const string InputLabel = "label";
    public const string OutputScore = "score";

    public const string MetaFormat = "memgrid.format";
    public const string MetaSde = "memgrid.sde";
    public const string MetaBetaMin = "memgrid.beta_min";
    public const string MetaBetaMax = "memgrid.beta_max";
    public const string MetaSigmaMin = "memgrid.sigma_min";
    public const string MetaSigmaMax = "memgrid.sigma_max";
    public const string MetaScheduleScale = "memgrid.sampling_schedule_scale";
    public const string MetaFrequencies = "memgrid.time_frequencies";
    public const string MetaOutputGain = "memgrid.output_gain";
    public const string MetaSaturation = "memgrid.saturation";
    public const string MetaClassNames = "memgrid.class_names";
    public const string MetaTask = "memgrid.task";
    public const string MetaImageJudge = "memgrid.image_judge";
    public const string MetaImageRange = "memgrid.image_range";
    public const string MetaTaskSha256 = "memgrid.task_sha256";
    public const string MetaProvenancePrefix = "memgrid.provenance.";

    public const int Opset = 17;
}
