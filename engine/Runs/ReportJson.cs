using System.Text.Json;
using System.Text.Json.Serialization;

namespace MemristorGrid.Engine.Runs;

/// <summary>
/// The reports' JSON, by System.Text.Json's source generator (no reflection): snake_case keys, indented, nulls
/// written (a missing figure is <c>null</c>, not an absent key, unless the property says otherwise). This context
/// reads reports (a baseline's for <c>run --baseline-report</c>, and tests); <see cref="Serialize{T}"/> writes them
/// through <see cref="ReportWriter"/>'s generated writer code, which needs no metadata built at run time (building
/// it for every report type cost a CLI run ~0.1 s of start-up).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    NumberHandling = JsonNumberHandling.Strict, AllowTrailingCommas = false)]
[JsonSerializable(typeof(RunReport))]
[JsonSerializable(typeof(BaselineReport))]
[JsonSerializable(typeof(Experiments.CompareReport))]
[JsonSerializable(typeof(Provenance))]
[JsonSerializable(typeof(Experiments.SweepSettings))]
[JsonSerializable(typeof(Graphs.Analog.GraphRunReport))]
public sealed partial class ReportJson : JsonSerializerContext
{
    /// <summary>A report as its file holds it: indented JSON and a final line break.</summary>
    public static string Serialize<T>(T report) => JsonSerializer.Serialize(report, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)ReportWriter.Default.GetTypeInfo(typeof(T))!) + "\n";
}

/// <summary>The same reports, written only (<see cref="JsonSourceGenerationMode.Serialization"/>: the generator's fast path).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(RunReport))]
[JsonSerializable(typeof(BaselineReport))]
[JsonSerializable(typeof(Experiments.CompareReport))]
[JsonSerializable(typeof(Provenance))]
[JsonSerializable(typeof(Experiments.SweepSettings))]
[JsonSerializable(typeof(Graphs.Analog.GraphRunReport))]
public sealed partial class ReportWriter : JsonSerializerContext;
