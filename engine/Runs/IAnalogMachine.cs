using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Runs;

/// <summary>One generation job for an analog machine: a programmed model, its hardware and the samples to make.</summary>
/// <param name="JobId">A stable id for a job that may be resumed (sweep cells); null for a fresh one.</param>
public sealed record AnalogJob(byte[] ModelBytes, string ModelName, ScoreNetwork Network, HardwareProfile Profile, AnalogRunOptions Options,
    int Count, int[] Labels, string? JobId = null);

/// <summary>
/// Where an analog job runs: the single-process reference simulator (<see cref="ReferenceMachine"/>) or the
/// grain cluster (hosting's <c>ClusterMachine</c>: an embedded silo or a real cluster). Both give the same
/// samples for the same job; only <see cref="Name"/>, <see cref="Placement"/> and the wall time differ.
/// </summary>
/// <remarks>Disposing a machine lets go of what it holds (a cluster machine stops its embedded silo or leaves the cluster).</remarks>
public interface IAnalogMachine : IAsyncDisposable
{
    /// <summary>As reports name it: reference, embedded-silo or cluster.</summary>
    string Name { get; }

    /// <summary>Where the cluster serves the tiles (local or chips); null on the reference simulator.</summary>
    string? Placement { get; }

    /// <summary>For people: "reference simulator", "embedded silo (local placement)", "cluster (chips placement)".</summary>
    string Description { get; }

    Task<AnalogRunResult> RunAsync(AnalogJob job, IProgress<double>? progress, CancellationToken cancel);
}

/// <summary>The whole machine in this process: <see cref="ReferenceSimulator"/>, the oracle the grains are tested against.</summary>
public sealed class ReferenceMachine : IAnalogMachine
{
    public string Name => "reference";
    public string? Placement => null;
    public string Description => "reference simulator";

    public Task<AnalogRunResult> RunAsync(AnalogJob job, IProgress<double>? progress, CancellationToken cancel) =>
        Task.Run(() => ReferenceSimulator.Run(job.Network, job.Profile, job.Options, job.Count, job.Labels, progress, cancel), cancel);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
