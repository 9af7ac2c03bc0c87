using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Bench;

/// <summary>Square tiles with conductances drawn uniformly over the profile's window, the same for every benchmark.</summary>
internal static class RandomTile
{
    /// <param name="digitisedRows">Whether every row arrives through the DAC (a first layer's) or none does (a hidden layer's analog rows).</param>
    public static CrossbarTile Square(int n, HardwareProfile profile, bool digitisedRows)
    {
        var rng = Streams.Rng(17, StreamPurpose.ReadNoise, (ulong)n);
        double gMin = profile.Device.GMinMicrosiemens * 1e-6, gMax = profile.Device.GMaxMicrosiemens * 1e-6;
        var gp = new double[n * n];
        var gm = new double[n * n];
        for (int k = 0; k < gp.Length; k++)
        {
            gp[k] = gMin + (gMax - gMin) * rng.Uniform((ulong)(2 * k));
            gm[k] = gMin + (gMax - gMin) * rng.Uniform((ulong)(2 * k + 1));
        }
        var plan = new TilePlan(0, 0, 0, 0, 0, n, 0, n, 0, 0, -1, Enumerable.Repeat(digitisedRows, n).ToArray(), new int[n], false);
        return new CrossbarTile(plan, gp, gm, Enumerable.Repeat(1f, n).ToArray(), profile);
    }
}
