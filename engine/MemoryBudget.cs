using System.Globalization;

namespace MemristorGrid.Engine;

/// <summary>
/// Sizes checked against this machine's memory before any work starts, so an impossible request is one
/// clear message instead of an overflow or an out-of-memory minutes in. The per-value factors are
/// deliberately generous estimates of everything a command keeps per sample coordinate or weight.
/// </summary>
public static class MemoryBudget
{
    /// <summary>Bytes a command holds per generated coordinate: float results, lane state, the samples CSV text, metrics.</summary>
    private const long BytesPerSampleValue = 64;

    /// <summary>Bytes training holds per network parameter: weights, gradients, two Adam moments, EMA, a noisy copy, in doubles.</summary>
    private const long BytesPerParameter = 64;

    /// <summary>The share of the memory available to this process that one request may plan for.</summary>
    private const double Share = 0.5;

    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public static void RequireSamples(long count, int dim, string setting)
    {
        long budget = (long)(AvailableBytes * Share);
        long max = Math.Min(int.MaxValue / Math.Max(dim, 1), budget / (BytesPerSampleValue * Math.Max(dim, 1)));
        if (count > max)
            throw UserInputException.ForSetting(setting, string.Create(CultureInfo.InvariantCulture,
                $"asks for {count} samples of {dim} dimensions: about {count * (double)dim * BytesPerSampleValue / 1e9:0.#} GB on this machine, which offers {AvailableBytes / 1e9:0.#} GB; at most {max} fit"));
    }

    public static void RequireParameters(long parameters, string setting)
    {
        long budget = (long)(AvailableBytes * Share);
        if (parameters > budget / BytesPerParameter)
            throw UserInputException.ForSetting(setting, string.Create(CultureInfo.InvariantCulture,
                $"gives a network of {parameters} parameters: about {parameters * (double)BytesPerParameter / 1e9:0.#} GB to train on this machine, which offers {AvailableBytes / 1e9:0.#} GB"));
    }
}
