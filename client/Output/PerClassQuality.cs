using System.Globalization;
using System.Text;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Client.Output;

/// <summary>A conditional run's figures per class, shown before the pooled ones (which hide a failing class).</summary>
public static class PerClassQuality
{
    /// <summary>One line per class, or nothing for unconditional runs.</summary>
    public static string Lines(IReadOnlyDictionary<string, ClassQualityEntry>? perClass)
    {
        if (perClass is not { Count: > 0 }) return "";
        var sb = new StringBuilder();
        sb.AppendLine("per class (against that class's reference points):");
        foreach (var (name, c) in perClass)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {name,-12} kl_paper {c.KlPaper:F4}  energy_distance {c.EnergyDistance:F5}  class_accuracy {(c.ClassAccuracy is { } a ? a.ToString("F3", CultureInfo.InvariantCulture) : "n/a")}  ({c.Samples} samples)");
        return sb.ToString();
    }

    /// <summary>The quality line of the console summary: kl_paper, kl_2d, energy distance and class accuracy.</summary>
    /// <summary>One line on the modes (empty without a labelled reference): a pooled metric can hide a lost mode.</summary>
    public static string Modes(Engine.Metrics.ModeCoverage? m)
    {
        if (m is null) return "";
        string weights = m.WeightError is { } e ? string.Create(CultureInfo.InvariantCulture, $", mode-weight error {e:F3}") : "";
        string lost = m.Recovered < m.Modes ? $"; lost: {string.Join(", ", m.PerMode.Where(p => !p.Recovered).Select(p => p.Mode))}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"modes: {m.Recovered} of {m.Modes} recovered, {m.InModeFraction:P1} of samples inside a mode (reference 95 %){weights}{lost}");
    }

    public static string Headline(double? klPaper, double? kl2D, double? energyDistance, double? classAccuracy) =>
        klPaper is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $"kl_paper {klPaper:F5}  kl_2d {kl2D:F4}  energy_distance {energyDistance:F5}{(classAccuracy is { } a ? string.Create(CultureInfo.InvariantCulture, $"  class_accuracy {a:F4}") : "")}");
}
