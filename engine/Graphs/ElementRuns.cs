namespace MemristorGrid.Engine.Graphs;

/// <summary>
/// An elementwise node's index maps cut into runs along which every operand either steps through consecutive elements or stays
/// on one: a residual add is one run of two full operands, a per-channel bias or time-embedding add one run per channel with a
/// held scalar, a concat or reshape a few contiguous copies. Each run is then one vectorised span operation instead of an
/// element-by-element lookup (the U-Net's analog pass spent an eighth of its time in such lookups).
/// </summary>
internal sealed class ElementRuns
{
    /// <summary>Output start, length, and per operand: its first element and whether it steps (1) or holds (0).</summary>
    public readonly record struct Run(int Start, int Length, int[] First, bool[] Steps);

    public Run[] Runs { get; }

    /// <summary>Whether the runs are long enough to pay for their dispatch (else the caller keeps its element loop).</summary>
    public bool Worthwhile { get; }

    /// <param name="maps">Per operand, the element each output element reads.</param>
    public ElementRuns(params int[][] maps)
    {
        int size = maps[0].Length;
        var runs = new List<Run>();
        for (int start = 0; start < size;)
        {
            var steps = maps.Select(m => start + 1 < size && m[start + 1] == m[start] + 1).ToArray();
            int end = start + 1;
            while (end < size && Continues(maps, steps, start, end)) end++;
            runs.Add(new Run(start, end - start, maps.Select(m => m[start]).ToArray(), steps));
            start = end;
        }
        Runs = runs.ToArray();
        Worthwhile = size >= 8 * Runs.Length;
    }

    private static bool Continues(int[][] maps, bool[] steps, int start, int at)
    {
        for (int k = 0; k < maps.Length; k++)
            if (maps[k][at] != maps[k][start] + (steps[k] ? at - start : 0)) return false;
        return true;
    }
}
