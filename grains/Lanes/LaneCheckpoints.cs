using System.Runtime.InteropServices;
using MemristorGrid.Engine.Analog;
using MemristorGrid.GrainInterfaces;

namespace MemristorGrid.Grains.Lanes;

/// <summary>Lane state ↔ its wire/storage form (numbers as byte buffers), exactly.</summary>
public static class LaneCheckpoints
{
    public static void Save(LaneState lane, LaneAssignment assignment, LaneCheckpoint into)
    {
        into.Assignment = assignment;
        into.X = MemoryMarshal.AsBytes(lane.X.AsSpan()).ToArray();
        into.Segment = lane.Segment;
        into.StepSize = lane.StepSize;
        into.TileCellEnergyJoules = MemoryMarshal.AsBytes(lane.TileCellEnergyJoules.AsSpan()).ToArray();
        into.TileMvms = lane.TileMvms.ToArray();
        into.Counters =
        [
            lane.NetworkEvaluations, lane.AcceptedSteps, lane.RejectedSteps, lane.InputOverflows,
            lane.SaturatedOutputs, lane.EmbeddingOverflows, lane.EmbeddingValues, lane.IntegratorClips,
        ];
    }

    public static LaneState Restore(LaneCheckpoint c)
    {
        var a = c.Assignment ?? throw new InvalidOperationException("checkpoint without an assignment");
        var k = c.Counters;
        return new LaneState
        {
            FirstSample = a.FirstSample,
            Count = a.Count,
            Labels = a.Labels,
            X = MemoryMarshal.Cast<byte, double>(c.X).ToArray(),
            Segment = c.Segment,
            StepSize = c.StepSize,
            TileCellEnergyJoules = MemoryMarshal.Cast<byte, double>(c.TileCellEnergyJoules).ToArray(),
            TileMvms = c.TileMvms.ToArray(),
            NetworkEvaluations = k[0],
            AcceptedSteps = k[1],
            RejectedSteps = k[2],
            InputOverflows = k[3],
            SaturatedOutputs = k[4],
            EmbeddingOverflows = k[5],
            EmbeddingValues = k[6],
            IntegratorClips = k[7],
        };
    }
}
