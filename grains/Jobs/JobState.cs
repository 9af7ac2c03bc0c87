using MemristorGrid.GrainInterfaces;

namespace MemristorGrid.Grains.Jobs;

/// <summary>What a job persists: its definition, which lanes finished, and how often lanes were re-driven.</summary>
[GenerateSerializer, Alias("mg.JobState")]
public sealed class JobState
{
    [Id(0)] public JobSpec? Spec { get; set; }
    [Id(1)] public bool[] LaneDone { get; set; } = [];
    [Id(2)] public bool Finished { get; set; }

    /// <summary>Lane calls retried after a failure, plus resumptions of the job after its own silo died.</summary>
    [Id(3)] public int Redrives { get; set; }

    /// <summary>Samples per lane: the spec's, or chosen from the cluster's lane slots when it names none.</summary>
    [Id(4)] public int LaneSize { get; set; }

    /// <summary>
    /// Folds another copy of the same job's state into this one. A job's state only grows — lanes finish,
    /// re-drives add up, the job finishes — so two activations' copies (one leaving a silo that shuts
    /// down, one just activated elsewhere) merge without loss.
    /// </summary>
    public void Merge(JobState other)
    {
        if (other.Spec is null || LaneDone.Length != other.LaneDone.Length) return;
        for (int k = 0; k < LaneDone.Length; k++) LaneDone[k] |= other.LaneDone[k];
        Finished |= other.Finished;
        Redrives = Math.Max(Redrives, other.Redrives);
    }
}
