namespace MemristorGrid.Engine.Analog;

/// <summary>
/// Everything one lane (a batch of samples integrated together) carries through analog time: its
/// integrator outputs, how far it got, and what it has cost so far. Plain data, so it can be
/// checkpointed and resumed anywhere; resuming gives the same result as running straight through.
/// </summary>
public sealed class LaneState
{
    public required long FirstSample { get; init; }
    public required int Count { get; init; }

    /// <summary>Intended class per sample (empty for unconditional generation).</summary>
    public required int[] Labels { get; init; }

    /// <summary>Integrator outputs x [Count × D], network units.</summary>
    public required double[] X { get; init; }

    /// <summary>Next controller period (segment) to integrate.</summary>
    public int Segment { get; set; }

    /// <summary>Step size the ODE controller proposes next (reverse-time units); 0 before the first step.</summary>
    public double StepSize { get; set; }

    /// <summary>Per tile: cell energy ∫ΣV²G dt summed over the lane's samples (joules).</summary>
    public required double[] TileCellEnergyJoules { get; init; }

    /// <summary>Per tile: vector-matrix products the simulator evaluated (one per sample per pass).</summary>
    public required long[] TileMvms { get; init; }

    public long NetworkEvaluations { get; set; }
    public long AcceptedSteps { get; set; }
    public long RejectedSteps { get; set; }
    public long InputOverflows { get; set; }
    public long SaturatedOutputs { get; set; }
    public long EmbeddingOverflows { get; set; }
    public long EmbeddingValues { get; set; }
    public long IntegratorClips { get; set; }
}
