using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Simulation;

/// <summary>Scratch buffers of one lane's integration; reused across windows, never checkpointed.</summary>
public sealed class LaneWorkspace
{
    private int _capacity = -1;
    private LaneDriver? _owner;
    internal SolverWorkspace Solver = null!;
    internal NetworkPass.Buffers Pass = null!;
    internal ClosedLoop Loop = null!;
    internal float[] XFloat = [], Score = [], Unconditional = [];
    internal float[] HeldEmbedding = [], LiveEmbedding = [], LiveNullEmbedding = [], LiveTimes = [];
    internal long[] SampleIndex = [];
    internal int[] Rows = [], NullRows = [], Identity = [];
    internal double[] Taus = [], Drift = [], Gain = [], BatchPower = [];
    internal int[] ClippedPerRow = [];
    internal double HeldDrift, HeldScoreGain;

    internal void Ensure(LaneDriver driver, int count)
    {
        if (ReferenceEquals(_owner, driver) && _capacity >= count) return;
        _owner = driver;
        _capacity = count;
        int nd = count * driver.Dim, h = driver.Controller.Width, tiles = driver.Plan.Tiles.Count;
        Solver = new SolverWorkspace(count, driver.Dim, tiles);
        Pass = new NetworkPass.Buffers(driver.Pass, count);
        Loop = new ClosedLoop(driver, this);
        XFloat = new float[nd]; Score = new float[nd]; Unconditional = new float[nd];
        HeldEmbedding = new float[driver.Controller.Rows * h];
        LiveEmbedding = new float[count * h];
        LiveNullEmbedding = new float[count * h];
        LiveTimes = new float[count];
        SampleIndex = new long[count];
        Rows = new int[count];
        NullRows = new int[count];
        Array.Fill(NullRows, driver.Network.IsConditional ? driver.Network.NullLabel : 0);
        Identity = Enumerable.Range(0, count).ToArray();
        Taus = new double[count]; Drift = new double[count]; Gain = new double[count];
        BatchPower = new double[tiles * count];
        ClippedPerRow = new int[driver.Controller.Rows];
    }
}
