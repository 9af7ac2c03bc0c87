using MemristorGrid.Grains.Telemetry;

namespace MemristorGrid.Grains.Placement;

/// <summary>
/// The silo's lane slots, shared by every job's lanes here: a lane drives only while it holds one. A job
/// sends each silo more lanes than it has slots (<see cref="QueuedPerSlot"/>), so a lane that finishes hands
/// its slot to one already waiting on this silo. Measured before: a slot freed on one silo waited for the
/// job grain, on the other silo, to hear of it and send the next lane — 0.2–0.45 s each way while both
/// silos computed, against lanes of 0.25–0.5 s — and each silo ran no lane for a sixth of a 2-silo job.
/// </summary>
public sealed class SiloLaneSlots(SiloCapacity capacity)
{
    /// <summary>Lanes a job keeps sent to a silo per slot there: one driving, the rest waiting. Eight, not two: while a job whose
    /// grain lived on a hung silo waits to be declared dead and re-activated (2–4 s), the other silos work through the lanes they
    /// hold; with two per slot they ran dry within a fraction of a second. A waiting lane costs an activation and a poll a second.</summary>
    public const int QueuedPerSlot = 8;

    private readonly SemaphoreSlim _free = new(capacity.LaneSlots);
    private int _driving, _peak;

    /// <summary>The most lanes that drove at once on this silo since it started.</summary>
    public int PeakDriving => Volatile.Read(ref _peak);

    private static readonly KeyValuePair<string, object?> Waiting = new("state", "waiting"), Driving = new("state", "driving");

    public async Task WaitAsync(CancellationToken cancel)
    {
        Instruments.SiloLanes.Add(1, Waiting);
        try { await _free.WaitAsync(cancel); }
        finally { Instruments.SiloLanes.Add(-1, Waiting); }
        Instruments.SiloLanes.Add(1, Driving);
        int driving = Interlocked.Increment(ref _driving);
        for (int peak = Volatile.Read(ref _peak); driving > peak; peak = Volatile.Read(ref _peak))
            if (Interlocked.CompareExchange(ref _peak, driving, peak) == peak) break;
    }

    public void Release()
    {
        Instruments.SiloLanes.Add(-1, Driving);
        Interlocked.Decrement(ref _driving);
        _free.Release();
    }
}
