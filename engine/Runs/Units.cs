using System.Globalization;

namespace MemristorGrid.Engine.Runs;

/// <summary>
/// SI prefixes chosen by magnitude, so a figure reads "401.8 mJ" rather than "4.018E+05 µJ": four
/// significant digits, mantissa in [1, 1000).
/// </summary>
public static class Units
{
    private static readonly (double Factor, string Prefix)[] Prefixes =
        [(1e-15, "f"), (1e-12, "p"), (1e-9, "n"), (1e-6, "µ"), (1e-3, "m"), (1, ""), (1e3, "k"), (1e6, "M")];

    public static string Energy(double joules) => Format(joules, "J");

    public static string Time(double seconds) => Format(seconds, "s");

    public static string Power(double watts) => Format(watts, "W");

    /// <summary>The prefix and factor for <paramref name="value"/>, e.g. to label a table column once for its largest entry.</summary>
    public static (double Factor, string Prefix) PrefixFor(double value)
    {
        double magnitude = Math.Abs(value);
        if (magnitude == 0 || !double.IsFinite(magnitude)) return (1, "");
        var chosen = Prefixes[0];
        foreach (var p in Prefixes)
            if (magnitude >= p.Factor * 0.99995) chosen = p;
        return chosen;
    }

    public static string Format(double value, string unit)
    {
        if (!double.IsFinite(value)) return $"{value.ToString(CultureInfo.InvariantCulture)} {unit}";
        var (factor, prefix) = PrefixFor(value);
        return string.Create(CultureInfo.InvariantCulture, $"{value / factor:G4} {prefix}{unit}");
    }
}
