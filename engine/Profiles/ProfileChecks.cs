namespace MemristorGrid.Engine.Profiles;

/// <summary>The checks every parameter group shares.</summary>
internal static class ProfileChecks
{
    public static bool Positive(double v) => v > 0 && double.IsFinite(v);
    public static bool NonNegative(double v) => v >= 0 && double.IsFinite(v);

    /// <summary>A converter's resolution and range, under the key <paramref name="key"/> (e.g. <c>dac</c>).</summary>
    public static IEnumerable<string> Quantizer(string key, int bits, double fullScale)
    {
        if (bits < 0 || bits > 24) yield return $"{key}_bits must be 0 (ideal) … 24 (got {bits})";
        if (!Positive(fullScale)) yield return $"{key} full_scale_volts must be > 0";
    }
}
