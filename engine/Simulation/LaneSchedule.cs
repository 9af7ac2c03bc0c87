namespace MemristorGrid.Engine.Simulation;

/// <summary>One lane of a run: samples First … First + Count − 1.</summary>
public readonly record struct LaneSlice(int Index, long First, int Count)
{
    /// <summary>This lane's part of the run's labels (none for unconditional generation).</summary>
    public int[] LabelsOf(int[] labels) => labels.Length == 0 ? [] : labels.AsSpan((int)First, Count).ToArray();
}

/// <summary>
/// How a run is cut for the machine: samples into lanes of at most the lane size (consecutive samples,
/// so the global sample index keys every draw), and a lane's segments into windows — the unit of work
/// of one lane call and the lane's checkpoint interval. The reference simulator and the job grain both use it.
/// </summary>
public static class LaneSchedule
{
    /// <summary>Segments per window: short enough to stay far below Orleans' response timeout.</summary>
    public const int WindowSegments = 8;

    /// <summary>Refuses a run of no samples, and labels that are not one per sample.</summary>
    public static void Check(int count, ReadOnlySpan<int> labels)
    {
        UserInputException.Require(count >= 1, "samples", $"must be at least 1 (got {count})");
        if (labels.Length != 0 && labels.Length != count) throw new ArgumentException($"one label per sample expected ({labels.Length} labels for {count} samples)");
    }

    /// <summary>Largest lane the automatic choice makes for a network of large tiles (a general graph's, or 64 × 64): big enough
    /// batches, small enough checkpoints.</summary>
    public const int MaxAutoLaneSize = 500;

    /// <summary>Largest lane the automatic choice makes for any network, so that a lane's checkpoint (its samples' state) stays
    /// small.</summary>
    public const int MaxSmallTileLaneSize = 8000;

    /// <summary>Products a tile call should carry so that its fixed cost on the grain cluster — a grain call, 8–12 µs of CPU
    /// measured by <c>bench calls</c> — stays small against them: a 500-sample call to ring's 15 × 14 tile (10⁵ products, read
    /// noise included) took ~50 µs there, so 2^20 products take several hundred.</summary>
    public const double TargetProductsPerCall = 1 << 20;

    /// <summary>The largest automatic lane for <paramref name="plan"/>: enough samples that a call to its mean tile carries
    /// <see cref="TargetProductsPerCall"/>, from <see cref="MaxAutoLaneSize"/> (64 × 64 tiles reach it at 256) to
    /// <see cref="MaxSmallTileLaneSize"/> (the paper's 14-wide tiles would want 11 000).</summary>
    public static int MaxLaneSizeFor(Partitioning.DeploymentPlan plan)
    {
        double meanProducts = plan.Tiles.Average(t => (double)t.RowCount * t.ColCount);
        return (int)Math.Clamp(Math.Ceiling(TargetProductsPerCall / meanProducts), MaxAutoLaneSize, MaxSmallTileLaneSize);
    }

    /// <summary>The lane size when the user names none: enough lanes that each of the machine's
    /// <paramref name="slots"/> lane slots has work, each at most <paramref name="maxLaneSize"/>. Samples do not depend on it.</summary>
    public static int AutoLaneSize(int count, int slots, int maxLaneSize = MaxAutoLaneSize) =>
        Math.Clamp((count + Math.Max(1, slots) - 1) / Math.Max(1, slots), 1, Math.Max(1, maxLaneSize));

    public static LaneSlice[] Lanes(int count, int laneSize)
    {
        var lanes = new LaneSlice[(count + laneSize - 1) / laneSize];
        for (int k = 0; k < lanes.Length; k++)
        {
            long first = (long)k * laneSize;
            lanes[k] = new LaneSlice(k, first, (int)Math.Min(laneSize, count - first));
        }
        return lanes;
    }
}
