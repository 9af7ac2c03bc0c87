namespace MemristorGrid.Engine.Simulation;

/// <summary>What a lane (or a whole run) counted on its way through analog time.</summary>
public record struct LaneCounters
{
    /// <summary>Network passes of the lane (one per derivative, two with guidance), each over the samples still integrating.</summary>
    public long NetworkEvaluations;

    /// <summary>Network passes per sample, summed over samples: what the hardware runs (independent of how samples are batched).</summary>
    public long SampleEvaluations;
    public long AcceptedSteps;
    public long RejectedSteps;

    /// <summary>Tile input values beyond a DAC's full scale.</summary>
    public long InputOverflows;

    /// <summary>Tile outputs clipped at the TIA rails.</summary>
    public long SaturatedOutputs;

    /// <summary>Embedding DAC channel values clipped at full scale, out of <see cref="EmbeddingValues"/> driven.</summary>
    public long EmbeddingOverflows;
    public long EmbeddingValues;
    public long IntegratorClips;

    /// <summary>Score values clipped at the ADC's full scale where the network's outputs reach the integrators from another chip (every solver stage counts).</summary>
    public long ScoreAdcOverflows;

    /// <summary>Values clipped at the ADC's full scale inside the network, where signals pass between chips.</summary>
    public long TileAdcOverflows;

    /// <summary>A general graph's analog periphery values clipped at the activation rail.</summary>
    public long PeripheryClips;

    /// <summary>A general graph's digital unit: values converted (ADC in, DAC out), and those clipped at a converter's full scale.</summary>
    public long DigitalConversions;
    public long DigitalAdcOverflows;

    private static readonly System.Reflection.FieldInfo[] Fields = typeof(LaneCounters).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance);

    /// <summary>Every counter by its snake_case name (report.json's <c>counters</c>): a counter added here is reported without another change.</summary>
    public readonly IReadOnlyDictionary<string, long> ByName()
    {
        object boxed = this;
        return Fields.ToDictionary(f => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(f.Name), f => (long)f.GetValue(boxed)!);
    }

    public static LaneCounters operator +(LaneCounters a, LaneCounters b) => new()
    {
        NetworkEvaluations = a.NetworkEvaluations + b.NetworkEvaluations,
        SampleEvaluations = a.SampleEvaluations + b.SampleEvaluations,
        AcceptedSteps = a.AcceptedSteps + b.AcceptedSteps,
        RejectedSteps = a.RejectedSteps + b.RejectedSteps,
        InputOverflows = a.InputOverflows + b.InputOverflows,
        SaturatedOutputs = a.SaturatedOutputs + b.SaturatedOutputs,
        EmbeddingOverflows = a.EmbeddingOverflows + b.EmbeddingOverflows,
        EmbeddingValues = a.EmbeddingValues + b.EmbeddingValues,
        IntegratorClips = a.IntegratorClips + b.IntegratorClips,
        ScoreAdcOverflows = a.ScoreAdcOverflows + b.ScoreAdcOverflows,
        TileAdcOverflows = a.TileAdcOverflows + b.TileAdcOverflows,
        PeripheryClips = a.PeripheryClips + b.PeripheryClips,
        DigitalConversions = a.DigitalConversions + b.DigitalConversions,
        DigitalAdcOverflows = a.DigitalAdcOverflows + b.DigitalAdcOverflows,
    };
}

/// <summary>
/// Everything one lane (a batch of samples integrated together) carries through analog time: its
/// integrator outputs, how far it got, and what it has cost so far. Plain data, so it can be
/// checkpointed and resumed anywhere; resuming gives the same result as running straight through.
/// </summary>
public sealed class LaneState : Solvers.ISolverLane
{
    public required long FirstSample { get; init; }
    public required int Count { get; init; }

    /// <summary>Intended class per sample (empty for unconditional generation).</summary>
    public required int[] Labels { get; init; }

    /// <summary>Integrator outputs x [Count × D], network units.</summary>
    public required double[] X { get; init; }

    /// <summary>Next controller period (segment) to integrate.</summary>
    public int Segment { get; set; }

    /// <summary>Per sample: the step size the ODE controller proposes next (reverse-time units); 0 before the first step.</summary>
    public required double[] StepSizes { get; init; }

    /// <summary>Where segments are only checkpoints (the ODE with a continuous controller), each sample's
    /// reverse time s reached; its steps run across segment ends. Empty otherwise.</summary>
    public double[] Times { get; init; } = [];

    /// <summary>With <see cref="Times"/>: each sample's dx/ds at its time [Count × D], the first stage of its
    /// next step (first-same-as-last across checkpoints); written by every segment, so set from the second on.</summary>
    public double[] Slopes { get; init; } = [];

    /// <summary>With <see cref="Slopes"/>: each tile's cell power at that derivative [tiles × Count].</summary>
    public double[] SlopePowers { get; init; } = [];

    /// <summary>Per tile: cell energy ∫ΣV²G dt summed over the lane's samples (joules).</summary>
    public required double[] TileCellEnergyJoules { get; init; }

    /// <summary>Per tile: vector-matrix products the simulator evaluated (one per sample per pass).</summary>
    public required long[] TileMvms { get; init; }

    /// <summary>Per sample: its cell energy ∫ΣV²G dt over every tile (joules), for the runaway check
    /// (<see cref="Accounting.SampleEnergyStatistics"/>); empty for a lane restored from a checkpoint that did not keep it.</summary>
    public double[] SampleCellEnergyJoules { get; init; } = [];

    /// <summary>A field, so the network pass and the loop count in place.</summary>
    public LaneCounters Counters;

    /// <summary>A fresh lane starting from the prior: draw (first + i)·D + j of the prior stream, as the digital baseline draws it;
    /// the ODE's checkpoint state when <paramref name="checkpoints"/>.</summary>
    public static LaneState FromPrior(long firstSample, int count, int[] labels, int dim, int tiles, Diffusion.DiffusionSde sde, ulong seed, bool checkpoints)
    {
        if (labels.Length != 0 && labels.Length != count) throw new ArgumentException("one label per sample expected");
        var prior = new float[count * dim];
        Randomness.Streams.Rng(seed, Randomness.StreamPurpose.SamplerPrior).FillGaussian(prior, (ulong)firstSample * (ulong)dim);
        float priorStd = (float)sde.PriorStd;
        var x = new double[prior.Length];
        for (int i = 0; i < x.Length; i++) x[i] = priorStd == 1f ? prior[i] : prior[i] * priorStd;
        return new LaneState
        {
            FirstSample = firstSample,
            Count = count,
            Labels = labels,
            X = x,
            StepSizes = new double[count],
            Times = checkpoints ? new double[count] : [],
            Slopes = checkpoints ? new double[count * dim] : [],
            SlopePowers = checkpoints ? new double[count * tiles] : [],
            TileCellEnergyJoules = new double[tiles],
            TileMvms = new long[tiles],
            SampleCellEnergyJoules = new double[count],
        };
    }

    public void CountSteps(long accepted, long rejected)
    {
        Counters.AcceptedSteps += accepted;
        Counters.RejectedSteps += rejected;
    }
}
