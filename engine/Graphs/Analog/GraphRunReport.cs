using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>The partition of one unit: its nodes and operations per sample and evaluation.</summary>
public sealed record GraphUnitShare(int Nodes, long Operations);

/// <summary>One weighted layer (a Conv or Gemm) on its tiles: its matrix, vectors per sample, tiles and chips, and what its tiles did per sample.</summary>
public sealed record GraphLayerRollup(string Name, string Op, int Inputs, int Outputs, int VectorsPerSample, int Tiles, IReadOnlyList<int> Chips,
    double MvmsPerSample, double CellEnergyPerSampleJoules);

/// <summary>One node on the digital unit: its operations per evaluation and the time they take at the unit's rate.</summary>
public sealed record GraphDigitalNode(string Name, string Op, long Operations, double Seconds);

/// <summary>One chip pair's link: the digitised signals it carries a traversal and their energy per sample.</summary>
public sealed record GraphLink(int From, int To, long SignalsPerTraversal, double JoulesPerSample);

/// <summary>Where one traversal of the loop spends its time, and where a sample's energy goes.</summary>
public sealed record GraphSplit(double Analog, double Conversions, double Digital, double Controller);

/// <summary>
/// <c>report.json</c> of a general graph (a U-Net) run on the analog machine: the samples' quality, the time
/// per sample as the loop derives it and its split (analog stages, conversions and hops, digital unit),
/// the energy per sample by line and by unit (analog machine, controller, digital unit), the partition
/// and what the run counted.
/// </summary>
public sealed record GraphRunReport
{
    public string Kind { get; init; } = "analog-graph";
    public required string Simulator { get; init; }
    public required string Model { get; init; }
    public required string Profile { get; init; }
    public required string Device { get; init; }
    public required string Sampler { get; init; }
    public required int Samples { get; init; }
    public required ulong Seed { get; init; }
    public required ulong ProgramSeed { get; init; }
    public required double ScheduleScale { get; init; }
    public required string? Reference { get; init; }
    public required double? KlPaper { get; init; }
    public required double? Kl2D { get; init; }
    public required double? EnergyDistance { get; init; }
    public Metrics.ModeCoverage? ModeCoverage { get; init; }
    public required ImagesSection? Images { get; init; }
    public required double WallSeconds { get; init; }
    public required double TimePerSampleSeconds { get; init; }
    public required double GenerationSeconds { get; init; }
    public required double LoopDelaySeconds { get; init; }
    /// <summary>The loop delay's seconds by kind: analog stages (TIAs, activations), conversions and hops, digital unit.</summary>
    public required GraphSplit LoopDelaySplitSeconds { get; init; }
    public required double RcSeconds { get; init; }
    public required double RcMinSeconds { get; init; }
    public required string RcReason { get; init; }
    public required double LoopGainMax { get; init; }
    public required double LoopGainMaxTau { get; init; }
    public required double TraversalsPerSample { get; init; }
    public required double EnergyPerSampleJoules { get; init; }
    /// <summary>Shares of the energy per sample: analog machine (tiles, their converters, periphery, integrators), controller, digital unit.</summary>
    public required GraphSplit EnergyShares { get; init; }
    public required IReadOnlyList<GraphEnergyLine> EnergyLines { get; init; }
    public required IReadOnlyDictionary<string, GraphUnitShare> Partition { get; init; }
    public required int Tiles { get; init; }
    public required int Chips { get; init; }
    public required long Mvms { get; init; }
    public required long NetworkEvaluations { get; init; }
    public required long AcceptedSteps { get; init; }
    public required long RejectedSteps { get; init; }
    public required GraphPassCounts Counters { get; init; }
    /// <summary>Per weighted layer, in graph order (cell energy weighted as <see cref="GraphCosts"/> weights it).</summary>
    public required IReadOnlyList<GraphLayerRollup> Layers { get; init; }
    public required IReadOnlyList<GraphDigitalNode> DigitalNodes { get; init; }
    /// <summary>Each chip pair's digitised signals a traversal and their energy per sample.</summary>
    public required IReadOnlyList<GraphLink> Links { get; init; }
    /// <summary>With the op-amps at the node's limit (RC = RC_min), without the cells: what a derived design is weighed against.</summary>
    public double? RcMinEnergyPerSampleJoules { get; init; }
    public double? RcMinTimePerSampleSeconds { get; init; }

    public static GraphRunReport Build(string simulator, string model, AnalogGraph machine, GraphRunResult run, GraphCosts costs, Simulation.AnalogRunOptions options,
        string? reference, QualityReport? quality, ImagesSection? images)
    {
        var design = run.Design;
        var profile = design.Profile;
        var partition = machine.Graph.Partition();
        int samples = run.Samples.Length / run.Dim;
        return new GraphRunReport
        {
            Simulator = simulator, Model = model, Profile = profile.Name, Device = profile.Device.Name,
            Sampler = options.Kind.ToString().ToLowerInvariant(), Samples = samples, Seed = options.Seed, ProgramSeed = options.ProgramSeed,
            ScheduleScale = options.ScheduleScale, Reference = reference, KlPaper = quality?.KlPaper, Kl2D = quality?.Kl2D, EnergyDistance = quality?.EnergyDistance, ModeCoverage = quality?.Modes,
            Images = images, WallSeconds = run.Wall.TotalSeconds, TimePerSampleSeconds = costs.TimePerSampleSeconds, GenerationSeconds = costs.GenerationSeconds,
            LoopDelaySeconds = design.LoopDelaySeconds,
            LoopDelaySplitSeconds = new GraphSplit(design.AnalogDelaySeconds, design.ConversionDelaySeconds, design.DigitalDelaySeconds, 0),
            RcSeconds = design.RcSeconds, RcMinSeconds = design.RcMinSeconds, RcReason = design.Reason, LoopGainMax = design.GainMax, LoopGainMaxTau = design.GainMaxTau,
            TraversalsPerSample = costs.TraversalsPerSample, EnergyPerSampleJoules = costs.EnergyPerSampleJoules,
            EnergyShares = new GraphSplit(costs.Share(GraphUnit.Tiles) + costs.Share(GraphUnit.Periphery), 0, costs.Share(GraphUnit.Digital), costs.Share(GraphUnit.Controller)),
            EnergyLines = costs.Lines,
            Partition = partition.ToDictionary(p => p.Key.ToString().ToLowerInvariant(), p => new GraphUnitShare(p.Value.Nodes, p.Value.Operations)),
            Tiles = machine.Plan.Tiles.Count, Chips = machine.Plan.ChipCount, Mvms = run.TileMvms.Sum(),
            NetworkEvaluations = run.Counters.NetworkEvaluations, AcceptedSteps = run.Counters.AcceptedSteps, RejectedSteps = run.Counters.RejectedSteps,
            Counters = run.Pass,
            Layers = machine.Plan.Layers.Select((node, l) =>
            {
                var tiles = machine.Plan.LayerTiles[l];
                return new GraphLayerRollup(node.Name, node.OpType, node.MatrixInputs, node.MatrixOutputs, node.VectorsPerSample, tiles.Length,
                    tiles.Select(t => machine.Plan.Tiles[t].Chip).Distinct().Order().ToList(),
                    tiles.Sum(t => (double)run.TileMvms[t]) / samples, tiles.Sum(t => run.TileCellEnergyJoules[t]) / samples * GraphCosts.CellDuty(design));
            }).ToList(),
            RcMinEnergyPerSampleJoules = double.IsNaN(design.EnergyAtRcMinJoules) ? null : design.EnergyAtRcMinJoules,
            RcMinTimePerSampleSeconds = double.IsNaN(design.TimeAtRcMinSeconds) ? null : design.TimeAtRcMinSeconds,
            Links = GraphCosts.Links(machine).Select(l => new GraphLink(l.Key.From, l.Key.To, l.Value,
                l.Value * profile.Adc.BitsPerConversion * profile.Interconnect.EnergyPerBitJoules * costs.TraversalsPerSample)).ToList(),
            DigitalNodes = machine.Graph.Nodes.Where(n => n.Unit == GraphUnit.Digital)
                .Select(n => new GraphDigitalNode(n.Name, n.OpType, n.OperationsPerSample(machine.Graph), n.OperationsPerSample(machine.Graph) / profile.DigitalUnit.OpsPerSecond)).ToList(),
        };
    }
}
