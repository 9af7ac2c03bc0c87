using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MemristorGrid.Engine.Metrics;

namespace MemristorGrid.Client.Output;

/// <summary>A conditional run's figures per class, shown before the pooled ones (which hide a failing class).</summary>
public static class PerClassQuality
{
    public static void AddTo(JsonObject report, QualityReport? quality)
    {
        if (quality is not { PerClass.Count: > 0 }) return;
        var perClass = new JsonObject();
        foreach (var c in quality.PerClass)
            perClass[c.Class] = new JsonObject
            {
                ["samples"] = c.Samples,
                ["kl_paper"] = c.KlPaper,
                ["energy_distance"] = c.EnergyDistance,
                ["class_accuracy"] = double.IsFinite(c.ClassAccuracy) ? c.ClassAccuracy : null,
            };
        report["per_class"] = perClass;
    }

    /// <summary>One line per class, or nothing for unconditional runs.</summary>
    public static string Lines(QualityReport? quality)
    {
        if (quality is not { PerClass.Count: > 0 }) return "";
        var sb = new StringBuilder();
        sb.AppendLine("per class (against that class's reference points):");
        foreach (var c in quality.PerClass)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {c.Class,-12} kl_paper {c.KlPaper:F4}  energy_distance {c.EnergyDistance:F5}  class_accuracy {c.ClassAccuracy:F3}  ({c.Samples} samples)");
        return sb.ToString();
    }

    public static string Markdown(QualityReport? quality)
    {
        if (quality is not { PerClass.Count: > 0 }) return "";
        var sb = new StringBuilder();
        sb.AppendLine("| class | kl_paper | energy distance | class accuracy | samples |\n|---|---|---|---|---|");
        foreach (var c in quality.PerClass)
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {c.Class} | {c.KlPaper:F4} | {c.EnergyDistance:F5} | {c.ClassAccuracy:F3} | {c.Samples} |");
        return sb.ToString();
    }
}
