using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Placement;

namespace MemristorGrid.Grains.Telemetry;

/// <summary>This silo's <see cref="JobBoard"/>, for the live job page of whichever silo serves it.</summary>
[SiloPlacement]
public sealed class SiloBoardGrain(JobBoard board) : Grain, ISiloBoardGrain
{
    public Task<SiloJobTotals[]> GetJobsAsync() => Task.FromResult(board.Snapshot());
}
