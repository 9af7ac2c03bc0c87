using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MemristorGrid.Engine.Graphs.Analog;
using MemristorGrid.Engine.Graphs.Import;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.GrainInterfaces;

namespace MemristorGrid.Grains.Deployments;

/// <summary>What every deployment offers the silo's telemetry and jobs, whatever its network: its id, spec, profile and tiles.</summary>
public interface IDeployment
{
    string Id { get; }
    DeploymentSpec Spec { get; }
    HardwareProfile Profile { get; }
    IReadOnlyList<TilePlan> Tiles { get; }
}

/// <summary>
/// A general graph (a U-Net) deployed: the graph, the designed profile and the analog machine with the client's gain staging
/// (<see cref="DeploymentSpec.Staging"/>), so every silo computes exactly what the reference simulator computes. Tiles are
/// programmed per chip, on the silo that serves the chip, and shared by every activation there.
/// </summary>
public sealed class GraphDeployment : IDeployment
{
    private readonly ConcurrentDictionary<int, Lazy<GraphChipEvaluator>> _chips = new();

    private GraphDeployment(DeploymentSpec spec, HardwareProfile profile, AnalogGraph machine)
    {
        (Spec, Profile, Machine, Id) = (spec, profile, machine, spec.Id());
        _links = new(() => GraphCosts.Links(machine).Select(l => (l.Key.From, l.Key.To, l.Value)).ToList());
        _delay = new(() => GraphLoopDesign.CriticalPath(machine.Graph, machine.Plan, profile).Total);
    }

    public static GraphDeployment From(DeploymentSpec spec)
    {
        var graph = GraphImporter.FromBytes(spec.ModelBytes, spec.ModelName);
        var profile = HardwareProfile.Parse(spec.ProfileJson, spec.ModelName + " profile");
        var staging = spec.Staging is { Length: > 0 } bytes ? SignalRanges.FromPeaks(graph, MemoryMarshal.Cast<byte, double>(bytes).ToArray()) : null;
        return new GraphDeployment(spec, profile, new AnalogGraph(graph, profile, spec.ProgramSeed, staging));
    }

    /// <summary>The gain staging as a deployment carries it: each value's probed peak, float64 little-endian.</summary>
    public static byte[] StagingBytes(SignalRanges ranges) => MemoryMarshal.AsBytes(ranges.Peaks.AsSpan()).ToArray();

    public string Id { get; }
    public DeploymentSpec Spec { get; }
    public HardwareProfile Profile { get; }
    public AnalogGraph Machine { get; }
    public IReadOnlyList<TilePlan> Tiles => Machine.Plan.Tiles;

    public string ChipKey(int chip) => GrainKeys.Chip(Id, chip);

    /// <summary>Each chip pair's digitised signals a traversal (<see cref="GraphCosts.Links"/>), and one traversal's delay at the designed
    /// profile: a lane's link bytes are signals × the ADC's bits × (generation time ÷ delay) × samples.</summary>
    public IReadOnlyList<(int From, int To, long Signals)> LinkSignals => _links.Value;
    public double LoopDelaySeconds => _delay.Value;

    private readonly Lazy<IReadOnlyList<(int, int, long)>> _links;
    private readonly Lazy<double> _delay;

    /// <summary>One chip's evaluator, its tiles programmed once per silo.</summary>
    public GraphChipEvaluator Chip(int chip) => _chips.GetOrAdd(chip, c => new Lazy<GraphChipEvaluator>(() => Machine.Chip(c))).Value;
}
