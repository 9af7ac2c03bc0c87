using System.Text.Json;
using System.Text.Json.Serialization;

namespace MemristorGrid.Engine.Runs;

/// <summary>
/// The reports' JSON, written by System.Text.Json's source generator (no reflection): snake_case keys,
/// indented, nulls written (a missing figure is <c>null</c>, not an absent key, unless the property says otherwise).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    NumberHandling = JsonNumberHandling.Strict, AllowTrailingCommas = false)]
[JsonSerializable(typeof(RunReport))]
[JsonSerializable(typeof(BaselineReport))]
[JsonSerializable(typeof(Experiments.CompareReport))]
[JsonSerializable(typeof(Provenance))]
[JsonSerializable(typeof(Experiments.SweepSettings))]
public sealed partial class ReportJson : JsonSerializerContext
{
    /// <summary>A report as its file holds it: indented JSON and a final line break.</summary>
    public static string Serialize<T>(T report) => JsonSerializer.Serialize(report, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Default.GetTypeInfo(typeof(T))!) + "\n";
}
