using System.Collections.Concurrent;
using MemristorGrid.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;

namespace MemristorGrid.Hosting.Web;

/// <summary>One tile of a job on the live page: simulated energy per finished sample and products so far, over all silos.</summary>
public sealed record LiveTile(string Id, int Layer, int Chip, double EnergyPerSampleJoules, long Mvms);

/// <summary>One job on the live page, summed over the cluster's silos.</summary>
public sealed record LiveJob(
    string Job, string Deployment, int Samples, long SamplesDone, double Progress, int LanesDone, int Lanes, bool Finished, string? Error,
    int Silos, double ElapsedSeconds, double SamplesPerSecond, double? EnergyPerSampleJoules, double? TileEnergyPerSampleJoules,
    double? PeripheryEnergyPerSampleJoules, IReadOnlyList<LiveTile> Tiles);

public sealed record LiveJobsView(DateTime UpdatedUtc, int Silos, IReadOnlyList<LiveJob> Jobs);

/// <summary>
/// The live job page's data: every active silo's <see cref="ISiloBoardGrain"/> (samples and energy of finished
/// lanes, per tile) summed per job, with each job's progress from its job grain (segments integrated, which move
/// between lane completions). Progress is asked only until a job is seen finished or delivered: asking a
/// delivered job would activate an empty grain again.
/// </summary>
public sealed class LiveJobs(IServiceProvider services)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);
    private const int JobBoardCapacity = Grains.Telemetry.JobBoard.Capacity;
    private readonly ConcurrentDictionary<string, JobStatus> _final = new();

    public async Task<LiveJobsView> ReadAsync()
    {
        var grains = services.GetRequiredService<IGrainFactory>();
        var silos = (await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(CallTimeout)).Keys.ToArray();
        var boards = await Task.WhenAll(silos.Select(async s =>
        {
            try { return await grains.GetGrain<ISiloBoardGrain>(s.ToParsableString()).GetJobsAsync().WaitAsync(CallTimeout); }
            catch (Exception e) when (e is TimeoutException or OrleansException) { return []; } // a silo leaving: its share shows again when it answers
        }));
        var now = DateTime.UtcNow;
        var jobs = await Task.WhenAll(boards.SelectMany(b => b).GroupBy(t => t.Job).Select(g => JobAsync(grains, g.ToList(), now)));
        return new LiveJobsView(now, silos.Length, jobs.OrderByDescending(j => j.Finished ? 0 : 1).ThenByDescending(j => j.ElapsedSeconds).ToList());
    }

    private async Task<LiveJob> JobAsync(IGrainFactory grains, List<SiloJobTotals> parts, DateTime now)
    {
        string job = parts[0].Job;
        long done = parts.Sum(p => p.Samples);
        var status = await StatusAsync(grains, job, done);
        // A job grain with no lanes after lanes finished was forgotten once its client had the result (before its first
        // lane finished it may just be starting); unreachable (null), its progress is that of its finished lanes.
        bool delivered = status is { Lanes: 0, Finished: false } && done > 0;
        bool finished = status?.Finished == true || (delivered && done > 0);
        int samples = status is { Samples: > 0 } ? status.Samples : (int)done;
        double progress = finished ? 1 : status is { Segments: > 0 } ? (double)status.SegmentsDone / status.Segments : samples > 0 ? (double)done / samples : 0;
        var start = parts.Min(p => p.EnlistedUtc);
        var end = finished ? parts.Max(p => p.LastLaneUtc ?? p.EnlistedUtc) : now;
        double elapsed = Math.Max(1e-3, (end - start).TotalSeconds);
        double? PerSample(double joules) => done > 0 ? joules / done : null;
        var tiles = parts.SelectMany(p => p.Tiles).GroupBy(t => t.Id)
            .Select(g => new LiveTile(g.Key, g.First().Layer, g.First().Chip, done > 0 ? g.Sum(t => t.EnergyJoules) / done : 0, g.Sum(t => t.Mvms)))
            .OrderBy(t => t.Chip).ThenBy(t => t.Layer).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
        double tileJoules = parts.Sum(p => p.TileEnergyJoules), peripheryJoules = parts.Sum(p => p.PeripheryEnergyJoules);
        return new LiveJob(job, parts[0].Deployment, samples, done, progress, status?.LanesDone ?? 0, status?.Lanes ?? 0, finished, status?.Error,
            parts.Count, elapsed, progress * samples / elapsed, PerSample(tileJoules + peripheryJoules), PerSample(tileJoules), PerSample(peripheryJoules), tiles);
    }

    private async Task<JobStatus?> StatusAsync(IGrainFactory grains, string job, long done)
    {
        if (_final.TryGetValue(job, out var known)) return known;
        JobStatus status;
        try { status = await grains.GetGrain<IGenerationJobGrain>(job).GetStatusAsync().WaitAsync(CallTimeout); }
        catch (Exception e) when (e is TimeoutException or OrleansException) { return null; }
        if (_final.Count > 4 * JobBoardCapacity) _final.Clear(); // boards forget old jobs; so does this cache
        if (status.Finished || (status.Lanes == 0 && done > 0)) _final[job] = status;
        return status;
    }
}
