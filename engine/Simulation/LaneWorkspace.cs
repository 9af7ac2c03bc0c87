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
    internal float[] HeldEmbedding = [], LiveEmbedding = [];
    internal bool[] UsedRows = [];
    internal double HeldDrift, HeldScoreGain;

    internal void Ensure(LaneDriver driver, int count)
    {
        if (ReferenceEquals(_owner, driver) && _capacity >= count) return;
        _owner = driver;
        _capacity = count;
        int nd = count * driver.Dim;
        Solver = new SolverWorkspace(nd, driver.Plan.Tiles.Count);
        Pass = new NetworkPass.Buffers(driver.Pass, count);
        Loop = new ClosedLoop(driver, this);
        XFloat = new float[nd]; Score = new float[nd]; Unconditional = new float[nd];
        int table = driver.Controller.Rows * driver.Controller.Width;
        HeldEmbedding = new float[table];
        LiveEmbedding = new float[table];
        UsedRows = new bool[driver.Controller.Rows];
    }
}
