using System.Text.Json;
using System.Text.Json.Serialization;

namespace MemristorGrid.Engine.Runs;

/// <summary><c>report.json</c> of <c>memgrid baseline</c>: the digital reference (ONNX Runtime in the paper's fixed-step samplers).</summary>
public sealed record BaselineReport
{
    public string Kind { get; init; } = "baseline";
    public required string Model { get; init; }
    public string Runtime { get; init; } = "onnxruntime";
    public required string Sampler { get; init; }
    public required int Samples { get; init; }
    public required int Steps { get; init; }
    public required double ScheduleScale { get; init; }
    public required float Guidance { get; init; }
    public required ulong Seed { get; init; }
    public required string? Reference { get; init; }
    public required double? KlPaper { get; init; }
    [JsonPropertyName("kl_2d")] public required double? Kl2D { get; init; }
    public required double? EnergyDistance { get; init; }
    public Metrics.ModeCoverage? ModeCoverage { get; init; }
    public required double WallSeconds { get; init; }
    public required double SecondsPerSample { get; init; }
    public required long ScoreEvaluations { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Labels { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ClassAccuracy { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, double>? ClassAccuracyPerClass { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, ClassQualityEntry>? PerClass { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ImagesSection? Images { get; init; }
    public Provenance? Provenance { get; init; }

    /// <summary>Reads a baseline's report.json (for <c>run --baseline-report</c>); anything else is one clear error.</summary>
    public static BaselineReport Read(string path)
    {
        BaselineReport? report;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String || kind.GetString() != "baseline")
                throw UserInputException.ForSetting("baseline_report", $"{path} is not a report of memgrid baseline");
            report = doc.RootElement.Deserialize(ReportJson.Default.BaselineReport);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or NotSupportedException)
        { throw UserInputException.ForSetting("baseline_report", $"{path}: not a readable report.json ({e.Message})"); }
        return report ?? throw UserInputException.ForSetting("baseline_report", $"{path} is not a report of memgrid baseline");
    }
}
