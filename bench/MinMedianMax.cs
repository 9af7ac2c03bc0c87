using System.Globalization;

namespace MemristorGrid.Bench;

/// <summary>How every benchmark reports repeated measurements: "min / median / max".</summary>
internal static class MinMedianMax
{
    public static string Of(IEnumerable<double> values, string format)
    {
        var s = values.Order().ToList();
        return string.Format(CultureInfo.InvariantCulture, $"{{0:{format}}} / {{1:{format}}} / {{2:{format}}}", s[0], s[s.Count / 2], s[^1]);
    }
}
