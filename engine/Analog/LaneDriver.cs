using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Hardware;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Randomness;
using MemristorGrid.Engine.Sampling;

namespace MemristorGrid.Engine.Analog;

/// <summary>
/// Advances lanes through analog time: the closed loop integrator ← network ← integrator, solved
/// with error control. Reverse time s = τ_start − τ runs from 0 to the span; physical time is s·RC.
/// The run is cut into segments — one per controller update period (zero-order hold of embeddings,
/// coefficients, read noise and SDE noise), or equal slices when the controller is continuous — and no
/// solver step straddles a segment end. Tiles are reached only through <see cref="ITileTransport"/>,
/// so the reference simulator and the actor system run this same code. Every random draw is keyed by
/// (seed, tile or channel, segment, pass or substep, global sample index): lane size, lane order and the
/// transport do not change what is drawn.
/// </summary>
public sealed class LaneDriver
{
    private readonly ScoreNetwork _net;
    private readonly HardwareProfile _profile;
    private readonly AnalogRunOptions _options;
    private readonly Controller _controller;
    private readonly double[] _offsets;
    private readonly double _leak;
    private readonly double _integratorRail;
    private readonly float _activationRail;
    private readonly Quantizer _integratorAdc;
    private readonly bool _guided;
    private readonly int _dim;

    /// <param name="labelEmbeddings">Class embedding table from the label encoder (default: the network's).</param>
    public LaneDriver(ScoreNetwork network, HardwareProfile profile, DeploymentPlan plan, AnalogRunOptions options, float[]? labelEmbeddings = null)
    {
        options.Validate();
        if (options.GuidanceWeight != 0 && !network.IsConditional) throw new UserInputException("--guidance needs a conditional model");
        _net = network;
        _profile = profile;
        _options = options;
        Plan = plan;
        _dim = network.InputDim;
        Sde = network.Metadata.CreateSde().WithScheduleScale(options.ScheduleScale);
        _controller = new Controller(network, Sde, profile, options.Kind == SamplerKind.Sde, options.StartTime, options.EndTime, labelEmbeddings);
        _guided = options.GuidanceWeight != 0;
        double vpu = profile.Signal.VoltsPerUnit;

        Span = options.StartTime - options.EndTime;
        TimeConstant = profile.Integrator.TimeConstantSeconds;
        double period = profile.Controller.UpdatePeriodSeconds;
        IsHeld = period > 0;
        SegmentLength = IsHeld ? period / TimeConstant : Span / options.ContinuousSegments;
        SegmentCount = IsHeld ? (int)Math.Ceiling(Span / SegmentLength * (1 - 1e-12)) : options.ContinuousSegments;
        if (SegmentCount > 50_000_000) throw new UserInputException($"the profile gives {SegmentCount} controller updates per sample; lengthen controller.update_period_seconds");

        var ip = profile.Integrator;
        var offsetRng = Streams.Rng(options.ProgramSeed, StreamPurpose.IntegratorOffset);
        _offsets = new double[_dim];
        for (int d = 0; d < _dim; d++)
        {
            double fixedVolts = ip.OffsetsVolts.Length > 0 ? ip.OffsetsVolts[d % ip.OffsetsVolts.Length] : 0;
            _offsets[d] = (fixedVolts + ip.OffsetSigmaVolts * offsetRng.Gaussian((ulong)d)) / vpu;
        }
        _leak = ip.OpampGain is { } gain ? 1.0 / gain : 0;
        _integratorRail = ip.SaturationVolts is { } rail ? rail / vpu : double.PositiveInfinity;
        float act = profile.Activation.SaturationVolts is { } a ? (float)(a / vpu) : float.PositiveInfinity;
        _activationRail = MathF.Min(network.Saturation ?? float.PositiveInfinity, act);
        _integratorAdc = profile.Adc.Bits == 0 ? Quantizer.Ideal : new Quantizer(profile.Adc.Bits, (float)(profile.Adc.FullScaleVolts / vpu));
    }

    public DeploymentPlan Plan { get; }
    public DiffusionSde Sde { get; }
    public AnalogRunOptions Options => _options;

    /// <summary>Diffusion-time span τ_start − τ_end the loop integrates.</summary>
    public double Span { get; }

    /// <summary>Integrator RC: physical seconds per unit of diffusion time.</summary>
    public double TimeConstant { get; }

    /// <summary>Physical generation time of one sample.</summary>
    public double GenerationSeconds => Span * TimeConstant;
    public bool IsHeld { get; }
    public double SegmentLength { get; }
    public int SegmentCount { get; }

    public (double Start, double End) SegmentBounds(int k) => (k * SegmentLength, Math.Min((k + 1) * SegmentLength, Span));

    /// <summary>A fresh lane starting from the prior: draw (FirstSample + i)·D + j of the prior stream, as the digital baseline draws it.</summary>
    public LaneState CreateLane(long firstSample, int count, int[] labels)
    {
        if (labels.Length != 0 && labels.Length != count) throw new ArgumentException("one label per sample expected");
        var prior = new float[count * _dim];
        Streams.Rng(_options.Seed, StreamPurpose.SamplerPrior).FillGaussian(prior, (ulong)firstSample * (ulong)_dim);
        float priorStd = (float)Sde.PriorStd;
        var x = new double[prior.Length];
        for (int i = 0; i < x.Length; i++) x[i] = priorStd == 1f ? prior[i] : prior[i] * priorStd;
        return new LaneState
        {
            FirstSample = firstSample,
            Count = count,
            Labels = labels,
            X = x,
            TileCellEnergyJoules = new double[Plan.Tiles.Count],
            TileMvms = new long[Plan.Tiles.Count],
        };
    }

    public bool IsDone(LaneState lane) => lane.Segment >= SegmentCount;

    /// <summary>Integrates up to <paramref name="maxSegments"/> more segments of <paramref name="lane"/>.</summary>
    public async ValueTask AdvanceAsync(LaneState lane, ITileTransport tiles, int maxSegments, LaneWorkspace? workspace = null, CancellationToken cancel = default)
    {
        var w = workspace ?? new LaneWorkspace();
        w.Ensure(this, lane.Count);
        int stop = (int)Math.Min(SegmentCount, (long)lane.Segment + maxSegments);
        while (lane.Segment < stop)
        {
            cancel.ThrowIfCancellationRequested();
            int k = lane.Segment;
            var (s0, s1) = SegmentBounds(k);
            Hold(w, lane, k, s0);
            if (_options.Kind == SamplerKind.Ode) await OdeSegmentAsync(w, lane, tiles, k, s0, s1, cancel);
            else await SdeSegmentAsync(w, lane, tiles, k, s0, s1, cancel);
            lane.Segment = k + 1;
        }
    }

    /// <summary>The controller's held outputs for segment k (only used when the controller holds).</summary>
    private void Hold(LaneWorkspace w, LaneState lane, int k, double s0)
    {
        if (!IsHeld) return;
        double tau = _options.StartTime - s0;
        (w.HeldDrift, w.HeldScoreGain) = _controller.Coefficients(tau);
        MarkUsedRows(w, lane);
        lane.EmbeddingOverflows += _controller.Embeddings(tau, w.HeldEmbedding, w.UsedRows);
        lane.EmbeddingValues += w.UsedRows.Count(u => u) * (long)_controller.Width;
    }

    private void MarkUsedRows(LaneWorkspace w, LaneState lane)
    {
        Array.Clear(w.UsedRows);
        if (!_net.IsConditional) { w.UsedRows[0] = true; return; }
        foreach (int l in lane.Labels) w.UsedRows[l] = true;
        if (lane.Labels.Length == 0 || _guided) w.UsedRows[_net.NullLabel] = true;
    }

    // Dormand–Prince 5(4) coefficients (Hairer, Nørsett & Wanner, Table 5.2).
    private const double A21 = 1.0 / 5;
    private const double A31 = 3.0 / 40, A32 = 9.0 / 40;
    private const double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9;
    private const double A51 = 19372.0 / 6561, A52 = -25360.0 / 2187, A53 = 64448.0 / 6561, A54 = -212.0 / 729;
    private const double A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247, A64 = 49.0 / 176, A65 = -5103.0 / 18656;
    private const double B1 = 35.0 / 384, B3 = 500.0 / 1113, B4 = 125.0 / 192, B5 = -2187.0 / 6784, B6 = 11.0 / 84;
    private const double E1 = 71.0 / 57600, E3 = -71.0 / 16695, E4 = 71.0 / 1920, E5 = -17253.0 / 339200, E6 = 22.0 / 525, E7 = -1.0 / 40;

    private async ValueTask OdeSegmentAsync(LaneWorkspace w, LaneState lane, ITileTransport tiles, int k, double s0, double s1, CancellationToken cancel)
    {
        double[] x = lane.X;
        int n = x.Length;
        double s = s0;
        double h = lane.StepSize > 0 ? lane.StepSize : s1 - s0;
        double minStep = 1e-12 * Span;
        // Each segment starts with a fresh derivative (a held controller changes its outputs there), so a
        // lane resumed from a checkpoint at a segment boundary repeats exactly the same evaluations.
        await DerivativeAsync(w, lane, tiles, x, s, k, w.K[0], w.PowerStart, cancel);
        while (s1 - s > minStep)
        {
            if (h >= s1 - s - minStep) h = s1 - s;
            double[] k1 = w.K[0], k2 = w.K[1], k3 = w.K[2], k4 = w.K[3], k5 = w.K[4], k6 = w.K[5], k7 = w.K[6], y = w.Y;
            for (int i = 0; i < n; i++) y[i] = x[i] + h * A21 * k1[i];
            await DerivativeAsync(w, lane, tiles, y, s + h / 5, k, k2, w.PowerScratch, cancel);
            for (int i = 0; i < n; i++) y[i] = x[i] + h * (A31 * k1[i] + A32 * k2[i]);
            await DerivativeAsync(w, lane, tiles, y, s + 3 * h / 10, k, k3, w.PowerScratch, cancel);
            for (int i = 0; i < n; i++) y[i] = x[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
            await DerivativeAsync(w, lane, tiles, y, s + 4 * h / 5, k, k4, w.PowerScratch, cancel);
            for (int i = 0; i < n; i++) y[i] = x[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
            await DerivativeAsync(w, lane, tiles, y, s + 8 * h / 9, k, k5, w.PowerScratch, cancel);
            for (int i = 0; i < n; i++) y[i] = x[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
            await DerivativeAsync(w, lane, tiles, y, s + h, k, k6, w.PowerScratch, cancel);
            for (int i = 0; i < n; i++) y[i] = x[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
            await DerivativeAsync(w, lane, tiles, y, s + h, k, k7, w.PowerEnd, cancel);

            double norm = 0;
            for (int i = 0; i < n; i++)
            {
                double err = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
                double scale = _options.AbsoluteTolerance + _options.RelativeTolerance * Math.Max(Math.Abs(x[i]), Math.Abs(y[i]));
                norm = Math.Max(norm, Math.Abs(err) / scale);
            }
            if (!double.IsFinite(norm)) norm = double.PositiveInfinity;
            if (norm <= 1)
            {
                double seconds = h * TimeConstant;
                for (int t = 0; t < w.PowerStart.Length; t++) lane.TileCellEnergyJoules[t] += 0.5 * (w.PowerStart[t] + w.PowerEnd[t]) * seconds;
                Array.Copy(y, x, n);
                bool clipped = ClampToRails(lane, x);
                // First-same-as-last: the end derivative starts the next step (unless the rails moved x).
                if (clipped) await DerivativeAsync(w, lane, tiles, x, s + h, k, k7, w.PowerEnd, cancel);
                (w.K[0], w.K[6]) = (k7, k1);
                (w.PowerStart, w.PowerEnd) = (w.PowerEnd, w.PowerStart);
                s += h;
                lane.AcceptedSteps++;
                h *= norm == 0 ? 5 : Math.Clamp(0.9 * Math.Pow(norm, -0.2), 0.2, 5);
            }
            else
            {
                lane.RejectedSteps++;
                h *= double.IsFinite(norm) ? Math.Clamp(0.9 * Math.Pow(norm, -0.2), 0.2, 0.9) : 0.2;
                if (h < minStep)
                    throw new UserInputException($"the analog loop left the representable range at τ = {_options.StartTime - s:G4} (step size underflow); the profile drives the network or integrator out of range");
            }
        }
        lane.StepSize = h;
    }

    private async ValueTask SdeSegmentAsync(LaneWorkspace w, LaneState lane, ITileTransport tiles, int k, double s0, double s1, CancellationToken cancel)
    {
        double[] x = lane.X;
        int n = x.Length, substeps = _options.Substeps;
        double length = s1 - s0, h = length / substeps;
        ulong first = (ulong)lane.FirstSample * (ulong)_dim;
        bool sra = _options.SdeScheme == SdeScheme.Sra1;
        double heldAmplitude = NoiseAmplitude(s0);
        if (IsHeld)
        {
            // One noise voltage per channel held for the whole period: its Brownian increment
            // a·√(length)·z is spread linearly over the period.
            Streams.Rng(_options.Seed, StreamPurpose.IntegratorNoise, (ulong)k).FillGaussian(w.Z1, first);
            double share = h / Math.Sqrt(length);
            for (int i = 0; i < n; i++) w.Z1[i] *= share;
        }
        for (int j = 0; j < substeps; j++)
        {
            double s = s0 + j * h;
            double g0, g1;
            double[] dW = w.DW, chi = w.Chi;
            if (IsHeld)
            {
                g0 = g1 = heldAmplitude;
                for (int i = 0; i < n; i++) { dW[i] = w.Z1[i]; chi[i] = 0.5 * w.Z1[i]; }
            }
            else
            {
                g0 = NoiseAmplitude(s);
                g1 = NoiseAmplitude(s + h);
                double root = Math.Sqrt(h);
                Streams.Rng(_options.Seed, StreamPurpose.IntegratorNoise, (ulong)k, (ulong)j, 0).FillGaussian(dW, first);
                for (int i = 0; i < n; i++) dW[i] *= root;
                if (sra)
                {
                    Streams.Rng(_options.Seed, StreamPurpose.IntegratorNoise, (ulong)k, (ulong)j, 1).FillGaussian(chi, first);
                    for (int i = 0; i < n; i++) chi[i] = 0.5 * (dW[i] + root * chi[i] / Math.Sqrt(3));
                }
            }
            double[] k1 = w.K[0], k2 = w.K[1];
            await DerivativeAsync(w, lane, tiles, x, s, k, k1, w.PowerStart, cancel);
            if (!sra)
            {
                for (int i = 0; i < n; i++) x[i] += h * k1[i] + g0 * dW[i];
                AddEnergy(lane, w.PowerStart, 1.0, h);
            }
            else
            {
                // Rößler's SRA1 (strong order 1.5 for additive noise).
                double[] y = w.Y;
                for (int i = 0; i < n; i++) y[i] = x[i] + 0.75 * h * k1[i] + 1.5 * chi[i] * g1;
                await DerivativeAsync(w, lane, tiles, y, s + 0.75 * h, k, k2, w.PowerEnd, cancel);
                for (int i = 0; i < n; i++) x[i] += h * (k1[i] / 3 + 2 * k2[i] / 3) + chi[i] * (g0 - g1) + dW[i] * g1;
                AddEnergy(lane, w.PowerStart, 1.0 / 3, h);
                AddEnergy(lane, w.PowerEnd, 2.0 / 3, h);
            }
            ClampToRails(lane, x);
            if (x.Any(v => !double.IsFinite(v)))
                throw new UserInputException($"the analog loop left the representable range at τ = {_options.StartTime - s:G4}; the profile drives the network or integrator out of range");
            lane.AcceptedSteps++;
        }
    }

    private void AddEnergy(LaneState lane, double[] power, double weight, double h)
    {
        double seconds = weight * h * TimeConstant;
        for (int t = 0; t < power.Length; t++) lane.TileCellEnergyJoules[t] += power[t] * seconds;
    }

    private double NoiseAmplitude(double s) => _controller.NoiseAmplitude(_options.StartTime - s);

    private bool ClampToRails(LaneState lane, double[] x)
    {
        if (double.IsPositiveInfinity(_integratorRail)) return false;
        bool any = false;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > _integratorRail) { x[i] = _integratorRail; any = true; lane.IntegratorClips++; }
            else if (x[i] < -_integratorRail) { x[i] = -_integratorRail; any = true; lane.IntegratorClips++; }
        }
        return any;
    }

    /// <summary>
    /// dx/ds for the lane at state <paramref name="x"/>: the integrator's input −(f·x − c·g²·score) plus
    /// its offset, minus its leak x/A. The score comes from one network pass through the tiles (two with
    /// guidance). Cell power of every tile during this evaluation goes to <paramref name="power"/>.
    /// </summary>
    private async ValueTask DerivativeAsync(LaneWorkspace w, LaneState lane, ITileTransport tiles, double[] x, double s, int segment,
        double[] dx, double[] power, CancellationToken cancel)
    {
        double tau = _options.StartTime - s;
        double f, gain;
        float[] embedding;
        if (IsHeld) { f = w.HeldDrift; gain = w.HeldScoreGain; embedding = w.HeldEmbedding; }
        else
        {
            (f, gain) = _controller.Coefficients(tau);
            _controller.Embeddings(tau, w.LiveEmbedding, []);
            embedding = w.LiveEmbedding;
        }
        int n = lane.Count, d = _dim;
        var xf = w.XFloat;
        for (int i = 0; i < x.Length; i++) xf[i] = (float)x[i];
        Array.Clear(power);
        await PassAsync(w, lane, tiles, xf, nullLabels: !_net.IsConditional || lane.Labels.Length == 0, 0, segment, embedding, w.Score, power, cancel);
        if (_guided)
        {
            await PassAsync(w, lane, tiles, xf, nullLabels: true, 1, segment, embedding, w.Unconditional, power, cancel);
            ClassifierFreeGuidance.Combine(w.Score.AsSpan(0, n * d), w.Unconditional.AsSpan(0, n * d), _options.GuidanceWeight, w.Score.AsSpan(0, n * d));
        }
        var digitised = Plan.IntegratorDigitisedInputs;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                int idx = i * d + j;
                double score = digitised[j] ? _integratorAdc.Apply(w.Score[idx], out _) : w.Score[idx];
                dx[idx] = -(f * x[idx] - gain * score) + _offsets[j] - _leak * x[idx];
            }
    }

    /// <summary>One network pass, layer by layer: every tile of a layer is asked at once, then the partial
    /// sums are added in plan order, the embedding added and the activation applied on the home chip.</summary>
    private async ValueTask PassAsync(LaneWorkspace w, LaneState lane, ITileTransport tiles, float[] x, bool nullLabels, int pass, int segment,
        float[] embedding, float[] score, double[] power, CancellationToken cancel)
    {
        int n = lane.Count, h = _net.HiddenWidth, layers = Plan.LayerCount;
        float[] input = x;
        int inWidth = _dim;
        var read = new ReadContext(_options.Seed, lane.FirstSample, segment, pass);
        for (int l = 0; l < layers; l++)
        {
            int outWidth = Plan.LayerOutputs[l];
            var layerTiles = Plan.LayerTiles[l];
            for (int k = 0; k < layerTiles.Length; k++)
            {
                var tp = Plan.Tiles[layerTiles[k]];
                var buffer = w.TileInputs[tp.Index];
                int rows = tp.RowCount;
                for (int i = 0; i < n; i++)
                    for (int r = 0; r < rows; r++)
                    {
                        int feature = tp.RowStart + r;
                        buffer[i * rows + r] = feature == inWidth ? 1f : input[i * inWidth + feature];
                    }
                w.Pending[k] = tiles.EvaluateAsync(tp.Index, buffer.AsMemory(0, n * rows), w.TileOutputs[tp.Index].AsMemory(0, n * tp.ColCount), n, read, cancel);
            }
            float[] output = l == layers - 1 ? score : (l % 2 == 0 ? w.ActivationsA : w.ActivationsB);
            Array.Clear(output, 0, n * outWidth);
            for (int k = 0; k < layerTiles.Length; k++)
            {
                var evaluation = await w.Pending[k];
                w.Pending[k] = default;
                var tp = Plan.Tiles[layerTiles[k]];
                power[tp.Index] += evaluation.CellPowerWatts;
                lane.TileMvms[tp.Index] += n;
                lane.InputOverflows += evaluation.InputOverflows;
                lane.SaturatedOutputs += evaluation.SaturatedOutputs;
                var partial = w.TileOutputs[tp.Index];
                int cols = tp.ColCount;
                for (int i = 0; i < n; i++)
                    for (int c = 0; c < cols; c++)
                        output[i * outWidth + tp.ColStart + c] += partial[i * cols + c];
            }
            if (l < layers - 1)
            {
                for (int i = 0; i < n; i++)
                {
                    int row = !_net.IsConditional ? 0 : nullLabels ? _net.NullLabel : lane.Labels[i];
                    var pre = output.AsSpan(i * outWidth, outWidth);
                    var e = embedding.AsSpan(row * h, h);
                    for (int j = 0; j < outWidth; j++) pre[j] = Math.Clamp(pre[j] + e[j], 0f, _activationRail);
                }
            }
            else if (_net.OutputGain != 1f)
            {
                for (int i = 0; i < n * outWidth; i++) output[i] *= _net.OutputGain;
            }
            input = output;
            inWidth = outWidth;
        }
        lane.NetworkEvaluations++;
    }

    internal int Dim => _dim;
    internal int MaxTilesPerLayer => Plan.LayerTiles.Max(t => t.Length);
    internal int MaxWidth => Math.Max(_dim, Plan.LayerOutputs.Max());
    internal int EmbeddingRows => _controller.Rows;
}

/// <summary>Scratch buffers of one lane's integration; reused across windows, never checkpointed.</summary>
public sealed class LaneWorkspace
{
    private int _capacity = -1;
    private LaneDriver? _owner;
    internal double[][] K = [];
    internal double[] Y = [], DW = [], Chi = [], Z1 = [];
    internal double[] PowerStart = [], PowerEnd = [], PowerScratch = [];
    internal float[] XFloat = [], Score = [], Unconditional = [], ActivationsA = [], ActivationsB = [];
    internal float[][] TileInputs = [], TileOutputs = [];
    internal ValueTask<TileEvaluation>[] Pending = [];
    internal float[] HeldEmbedding = [], LiveEmbedding = [];
    internal bool[] UsedRows = [];
    internal double HeldDrift, HeldScoreGain;

    internal void Ensure(LaneDriver driver, int count)
    {
        if (ReferenceEquals(_owner, driver) && _capacity >= count) return;
        _owner = driver;
        _capacity = count;
        int nd = count * driver.Dim;
        K = Enumerable.Range(0, 7).Select(_ => new double[nd]).ToArray();
        Y = new double[nd]; DW = new double[nd]; Chi = new double[nd]; Z1 = new double[nd];
        int tiles = driver.Plan.Tiles.Count;
        PowerStart = new double[tiles]; PowerEnd = new double[tiles]; PowerScratch = new double[tiles];
        XFloat = new float[nd]; Score = new float[nd]; Unconditional = new float[nd];
        ActivationsA = new float[count * driver.MaxWidth]; ActivationsB = new float[count * driver.MaxWidth];
        TileInputs = driver.Plan.Tiles.Select(t => new float[count * t.RowCount]).ToArray();
        TileOutputs = driver.Plan.Tiles.Select(t => new float[count * t.ColCount]).ToArray();
        Pending = new ValueTask<TileEvaluation>[driver.MaxTilesPerLayer];
        int width = driver.Plan.LayerOutputs[0];
        HeldEmbedding = new float[driver.EmbeddingRows * width];
        LiveEmbedding = new float[driver.EmbeddingRows * width];
        UsedRows = new bool[driver.EmbeddingRows];
    }
}
