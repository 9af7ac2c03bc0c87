using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>A general graph's finished lanes folded together: samples in sample order, counters, and each tile's cell
/// energy and MVMs. The reference simulator and the job grain fold the same way.</summary>
public sealed record GraphLaneTotals(float[] Samples, LaneCounters Counters, double[] TileCellEnergyJoules, long[] TileMvms)
{
    /// <param name="count">Samples in the run.</param>
    /// <param name="d">Values per sample.</param>
    public static GraphLaneTotals Fold(IEnumerable<LaneState> lanes, int count, int d, int tiles)
    {
        var samples = new float[count * d];
        var counters = new LaneCounters();
        var cellEnergy = new double[tiles];
        var mvms = new long[tiles];
        foreach (var lane in lanes)
        {
            for (int j = 0; j < lane.X.Length; j++) samples[lane.FirstSample * d + j] = (float)lane.X[j];
            counters += lane.Counters;
            for (int t = 0; t < tiles; t++) { cellEnergy[t] += lane.TileCellEnergyJoules[t]; mvms[t] += lane.TileMvms[t]; }
        }
        return new GraphLaneTotals(samples, counters, cellEnergy, mvms);
    }
}
