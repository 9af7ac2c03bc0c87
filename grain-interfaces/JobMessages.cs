using System.Security.Cryptography;
using System.Text;

namespace MemristorGrid.GrainInterfaces;

/// <summary>A generation job: the deployment, the run options, and the samples to make.</summary>
[GenerateSerializer, Immutable, Alias("mg.JobSpec")]
public sealed record JobSpec(
    [property: Id(0)] DeploymentSpec Deployment,
    [property: Id(1)] RunSettings Options,
    [property: Id(2)] int Count,
    [property: Id(3)] int[] Labels,
    [property: Id(4)] int WindowSegments,
    [property: Id(5)] TilePlacementMode Placement)
{
    /// <summary>
    /// Content address of the work: the deployment, every run setting, the samples and labels, the window and the
    /// placement. The same command run again names the same job, so a client that died mid-job and is run again
    /// attaches to the job still running (its samples do not depend on who drives it) instead of starting a second.
    /// </summary>
    public string ContentId()
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Deployment.Id());
            var o = Options;
            w.Write((int)o.Sampler); w.Write(o.StartTime); w.Write(o.EndTime); w.Write(o.ScheduleScale); w.Write(o.GuidanceWeight); w.Write(o.Seed);
            w.Write(o.ProgramSeed); w.Write(o.LaneSize); w.Write(o.RelativeTolerance); w.Write(o.AbsoluteTolerance); w.Write((int)o.SdeScheme);
            w.Write(o.Substeps); w.Write(o.ContinuousSegments);
            w.Write(Count); w.Write(Labels.Length);
            foreach (int label in Labels) w.Write(label);
            w.Write(WindowSegments); w.Write((int)Placement);
        }
        return "job-" + Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()))[..20];
    }

    /// <summary>The same job: a job id started again must name exactly this work.</summary>
    public bool SameAs(JobSpec other) =>
        Options == other.Options && Count == other.Count && WindowSegments == other.WindowSegments && Placement == other.Placement
        && Labels.AsSpan().SequenceEqual(other.Labels) && Deployment.Id() == other.Deployment.Id();
}

[GenerateSerializer, Immutable, Alias("mg.JobStatus")]
public sealed record JobStatus(
    [property: Id(0)] int LanesDone,
    [property: Id(1)] int Lanes,
    [property: Id(2)] long SegmentsDone,
    [property: Id(3)] long Segments,
    [property: Id(4)] bool Finished,
    [property: Id(5)] string? Error,
    [property: Id(6)] int LaneRetries,
    [property: Id(7)] bool ErrorIsUserInput,
    [property: Id(8)] string? ErrorDetail,
    [property: Id(9)] int LaneSlots,
    [property: Id(10)] bool StateLost = false,
    [property: Id(11)] int Samples = 0);
/// <summary>The spread of the samples' cell energy (<c>SampleEnergyStatistics</c>).</summary>
[GenerateSerializer, Immutable, Alias("mg.SampleEnergyData")]
public sealed record SampleEnergyData([property: Id(0)] double MedianJoules, [property: Id(1)] double MaxJoules, [property: Id(2)] long Runaways, [property: Id(3)] long Samples);
