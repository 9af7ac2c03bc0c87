using System.Diagnostics;
using System.Runtime.InteropServices;
using MemristorGrid.Engine.Analog;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Telemetry;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Lanes;

/// <summary>
/// One lane of integrator channels. Runs the engine's <see cref="LaneDriver"/> — the same algorithm as
/// the reference simulator — with tile grains as its transport, and checkpoints (x, analog time,
/// segment, costs) after every window, so a lane lost with its silo resumes where it was saved.
/// </summary>
public sealed class IntegratorChannelGrain(
    [PersistentState("lane", Storage.Name)] IPersistentState<LaneCheckpoint> checkpoint,
    DeploymentCache deployments) : Grain, IIntegratorChannelGrain
{
    private LaneDriver? _driver;
    private Deployment? _deployment;
    private GrainTileTransport? _transport;
    private LaneState? _lane;
    private LaneAssignment? _assignment;
    private readonly LaneWorkspace _workspace = new();

    public async Task<LaneProgress> AdvanceToAsync(LaneAssignment assignment, int targetSegment)
    {
        await EnsureLaneAsync(assignment);
        var driver = _driver!;
        var lane = _lane!;
        int target = Math.Min(targetSegment, driver.SegmentCount);
        if (lane.Segment < target)
        {
            using var span = Instruments.Source.StartActivity("lane.window");
            span?.SetTag("lane", this.GetPrimaryKeyString());
            span?.SetTag("segments", $"{lane.Segment}..{target}");
            int before = lane.Segment;
            _transport!.TraceNext(_deployment!.Plan.Tiles.Count);
            try { await driver.AdvanceAsync(lane, _transport, target - lane.Segment, _workspace); }
            catch
            {
                // A window that failed half-way (a tile's silo died) has moved x part of a segment:
                // forget it, so the retry resumes from the last checkpoint and repeats exactly.
                _lane = null;
                throw;
            }
            Instruments.LaneSegments.Add(lane.Segment - before, new KeyValuePair<string, object?>("deployment", _deployment.Id));
            Instruments.LaneAnalogTime.Add((lane.Segment - before) * driver.SegmentLength * driver.TimeConstant);
            LaneCheckpoints.Save(lane, assignment, checkpoint.State);
            await checkpoint.WriteStateAsync();
            if (driver.IsDone(lane)) RecordCosts(driver, lane);
        }
        return new LaneProgress(lane.Segment, driver.SegmentCount);
    }

    public Task<LaneCheckpoint> GetCheckpointAsync() =>
        checkpoint.State.Assignment is not null ? Task.FromResult(checkpoint.State)
            : throw new InvalidOperationException($"lane {this.GetPrimaryKeyString()} has not run");

    private async Task EnsureLaneAsync(LaneAssignment assignment)
    {
        if (_lane is not null && Same(_assignment!, assignment)) return;
        _deployment = await deployments.GetAsync(assignment.DeploymentId, GrainFactory);
        var options = AnalogRunOptions.FromJson(assignment.OptionsJson);
        float[]? labels = null;
        if (_deployment.Network.IsConditional)
        {
            var embeddings = await GrainFactory.GetGrain<ILabelEncoderGrain>(GrainKeys.Labels(_deployment.Id)).GetEmbeddingsAsync();
            labels = MemoryMarshal.Cast<byte, float>(embeddings.Table).ToArray();
        }
        _driver = new LaneDriver(_deployment.Network, _deployment.Profile, _deployment.Plan, options, labels);
        _transport = new GrainTileTransport(_deployment.Plan.Tiles
            .Select(t => GrainFactory.GetGrain<ICrossbarTileGrain>(_deployment.TileKey(t))).ToArray());
        _lane = checkpoint.State.Assignment is { } saved && Same(saved, assignment)
            ? LaneCheckpoints.Restore(checkpoint.State)
            : _driver.CreateLane(assignment.FirstSample, assignment.Count, assignment.Labels);
        _assignment = assignment;
    }

    private static bool Same(LaneAssignment a, LaneAssignment b) =>
        a.DeploymentId == b.DeploymentId && a.OptionsJson == b.OptionsJson && a.FirstSample == b.FirstSample
        && a.Count == b.Count && a.Labels.AsSpan().SequenceEqual(b.Labels);

    /// <summary>The finished lane's simulated costs, per tile and for the periphery.</summary>
    private void RecordCosts(LaneDriver driver, LaneState lane)
    {
        var result = HardwareAccounting.Summarise(driver, _deployment!.Profile, [lane], _deployment.Network.InputDim, TimeSpan.Zero);
        foreach (var t in result.Tiles)
        {
            var tags = new TagList { { "deployment", _deployment.Id }, { "layer", t.Layer }, { "tile", t.Id }, { "chip", t.Chip } };
            Instruments.TileEnergy.Record(t.EnergyJoules, tags);
            Instruments.TileSimulatedLatency.Record(t.SimulatedLatencySeconds, tags);
            Instruments.TileAdcConversions.Add(t.AdcConversions, tags);
        }
        foreach (var (component, joules) in result.EnergyBreakdown.Where(e => e.Key is not ("crossbar_cells" or "tia" or "tile_converters")))
        {
            double tileLinks = component == "interconnect" ? result.Tiles.Sum(t => t.LinkEnergyJoules) : 0;
            Instruments.PeripheryEnergy.Record(joules - tileLinks, new TagList { { "deployment", _deployment.Id }, { "component", component } });
        }
        foreach (var link in result.Links)
            Instruments.InterconnectBytes.Add(link.Bits / 8, new TagList { { "deployment", _deployment.Id }, { "from_chip", link.From }, { "to_chip", link.To } });
        Instruments.SamplesCompleted.Add(lane.Count, new KeyValuePair<string, object?>("deployment", _deployment.Id));
    }
}
