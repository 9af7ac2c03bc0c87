using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Partitioning;

namespace MemristorGrid.Engine.Runs;

/// <summary>
/// The report's sections that follow from the request alone — the loop's analysis (its gain probed through the network, the
/// RC grid's energies) and the programmed deployment's statistics (the tiles programmed again under the run's chip seed) —
/// started as the job starts, so that they are ready when it ends. Built after the job, they were ~0.55 s of a 40 000-sample
/// fashion run's client on one core, after the silo's scoring and before its files (0.37 s and 0.18 s).
/// </summary>
public sealed class RequestSections
{
    private RequestSections(Task<LoopReport> loop, Task<ProgrammingSection> program) => (Loop, Program) = (loop, program);

    public Task<LoopReport> Loop { get; }
    public Task<ProgrammingSection> Program { get; }

    /// <summary>Starts both on the thread pool; their failures surface where the report reads them.</summary>
    public static RequestSections Start(RunRequest r) => new(
        Task.Run(() => LoopAnalysis.Analyse(r.Network, r.Profile, DeploymentPlan.Create(r.Network, r.Profile.Mapping), r.Options, r.LoopDesign)),
        // The same pure function the tiles ran with: the score network's tiles under the run's chip seed.
        Task.Run(() => ProgrammingStats.ForDeployment(r.Network, r.Profile, r.Options.ProgramSeed).Section(r.Profile)));
}
