using MemristorGrid.Engine.Accounting;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;

namespace MemristorGrid.Grains.Telemetry;

/// <summary>
/// What this silo has done for each job it enlisted in, for the live job page: samples of finished lanes,
/// their energy (tiles, periphery) and each tile's energy and products, with when the job reached this
/// silo and when its last lane here finished. One per silo (a DI singleton, not static: test clusters run
/// several silos in one process). Also raises the OpenTelemetry counters (<see cref="JobCounters"/>), so
/// the page and Prometheus count the same lanes. Keeps the <see cref="Capacity"/> most recent jobs.
/// </summary>
public sealed class JobBoard(TimeProvider clock)
{
    public const int Capacity = 32;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _jobs = [];

    private sealed class Entry(string deployment, DateTimeOffset enlisted, IEnumerable<(string Id, int Layer, int Chip)> tiles)
    {
        public readonly string Deployment = deployment;
        public readonly DateTimeOffset Enlisted = enlisted;
        public DateTimeOffset? LastLane;
        public long Samples;
        public double TileJoules, PeripheryJoules;
        public readonly Dictionary<string, (int Layer, int Chip, double Joules, long Mvms)> Tiles = tiles.ToDictionary(t => t.Id, t => (t.Layer, t.Chip, 0.0, 0L));
    }

    /// <summary>The job has reached this silo (enlisted, or a lane of it activated here).</summary>
    public void Start(IDeployment deployment, string job)
    {
        JobCounters.Start(deployment, job);
        lock (_gate) EntryOf(deployment, job);
    }

    private Entry EntryOf(IDeployment deployment, string job)
    {
        if (_jobs.TryGetValue(job, out var entry)) return entry;
        if (_jobs.Count >= Capacity) _jobs.Remove(_jobs.MinBy(j => j.Value.Enlisted).Key);
        return _jobs[job] = new Entry(deployment.Id, clock.GetUtcNow(), deployment.Tiles.Select(t => (t.Id, t.Layer, t.Chip)));
    }

    /// <summary>A lane of <paramref name="job"/> finished on this silo with these costs.</summary>
    public void LaneFinished(AnalogRunResult lane, IDeployment deployment, string job)
    {
        JobCounters.LaneFinished(lane, deployment.Id, job);
        lock (_gate)
        {
            var entry = EntryOf(deployment, job);
            entry.LastLane = clock.GetUtcNow();
            entry.Samples += lane.SampleCount;
            foreach (var t in lane.Tiles)
            {
                var (layer, chip, joules, mvms) = entry.Tiles.GetValueOrDefault(t.Id, (t.Layer, t.Chip, 0.0, 0L));
                entry.Tiles[t.Id] = (layer, chip, joules + t.EnergyJoules, mvms + t.MvmCount);
                entry.TileJoules += t.EnergyJoules;
            }
            entry.PeripheryJoules += lane.PeripheryEnergy().Sum(p => p.Joules);
        }
    }

    /// <summary>A lane of a general graph's <paramref name="job"/> finished here: its samples, and each tile's cell energy and MVMs.</summary>
    public void GraphLaneFinished(IDeployment deployment, string job, int samples, double[] tileJoules, long[] tileMvms,
        IEnumerable<(int From, int To, double Bytes)> linkBytes)
    {
        JobCounters.GraphLaneFinished(deployment, job, samples, tileJoules, linkBytes);
        lock (_gate)
        {
            var entry = EntryOf(deployment, job);
            entry.LastLane = clock.GetUtcNow();
            entry.Samples += samples;
            for (int k = 0; k < tileJoules.Length; k++)
            {
                var t = deployment.Tiles[k];
                var (layer, chip, joules, mvms) = entry.Tiles.GetValueOrDefault(t.Id, (t.Layer, t.Chip, 0.0, 0L));
                entry.Tiles[t.Id] = (layer, chip, joules + tileJoules[k], mvms + tileMvms[k]);
                entry.TileJoules += tileJoules[k];
            }
        }
    }

    public SiloJobTotals[] Snapshot()
    {
        lock (_gate)
            return _jobs.Select(j => new SiloJobTotals(j.Key, j.Value.Deployment, j.Value.Enlisted.UtcDateTime, j.Value.LastLane?.UtcDateTime,
                j.Value.Samples, j.Value.TileJoules, j.Value.PeripheryJoules,
                j.Value.Tiles.Select(t => new TileTotals(t.Key, t.Value.Layer, t.Value.Chip, t.Value.Joules, t.Value.Mvms)).ToArray())).ToArray();
    }
}
