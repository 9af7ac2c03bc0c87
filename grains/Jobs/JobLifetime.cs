namespace MemristorGrid.Grains.Jobs;

/// <summary>
/// How long a job runs on without a client (silo-wide, MEMGRID_JOB_ABANDON_SECONDS). A client polls its job ten times a
/// second; one that died leaves the job running, so the same command run again attaches to it (the job's id is the
/// request's content). Nobody asking for that long means nobody will: the job stops and its state and lanes leave the store.
/// </summary>
public sealed record JobLifetime(TimeSpan AbandonAfter)
{
    public static readonly JobLifetime Default = new(TimeSpan.FromMinutes(2));
}

/// <summary>When a job's clients last asked for it.</summary>
internal sealed class ClientWatch(TimeProvider clock, TimeSpan abandonAfter)
{
    private long _last = clock.GetTimestamp();

    public void Touch() => _last = clock.GetTimestamp();

    public TimeSpan Silence => clock.GetElapsedTime(_last);

    public bool Abandoned => Silence > abandonAfter;

    /// <summary>A quarter of the limit, between 1 and 30 s: an abandoned job goes within 1.25 × the limit.</summary>
    public TimeSpan CheckPeriod => TimeSpan.FromSeconds(Math.Clamp(abandonAfter.TotalSeconds / 4, 1, 30));
}
