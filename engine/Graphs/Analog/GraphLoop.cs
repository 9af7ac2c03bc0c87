using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>
/// The closed loop of one lane around a general graph, as the solvers see it: the controller's values
/// (held for the segment, or at each sample's own time), one analog pass of the graph over the samples
/// asked for, and the integrator channels that turn each score into dx/ds — the same solvers, integrator
/// and coefficient DACs as the MLP's loop (<see cref="ClosedLoop"/>).
/// </summary>
internal sealed class GraphLoop(AnalogGraph machine, IntegratorChannel integrator, LoopCoefficients coefficients, DiffusionSde sde,
    AnalogRunOptions options, bool held) : ILoopDynamics
{
    private readonly Dictionary<int, GraphRun> _runs = [];
    private readonly AnalogWorkspace _workspace = new();
    private IGraphTileTransport _tiles = null!;
    private LaneState _lane = null!;
    private int _segment;
    private double _heldTau;
    private float[] _x = [], _t = [], _score = [];
    private long[] _labels = [], _samples = [];
    private double[] _power = [];

    public void Begin(LaneState lane, IGraphTileTransport tiles, Segment segment)
    {
        _lane = lane;
        _tiles = tiles;
        _segment = segment.Index;
        _heldTau = options.StartTime - segment.Start;
    }

    public double TimeConstant { get; init; }

    public double Tau(double s) => options.StartTime - s;

    public double NoiseAmplitude(double s) => integrator.NoiseAmplitude(sde, Tau(s));

    public bool ClampToRails(double[] x, int sample)
    {
        int d = machine.Graph.InputDim, clipped = integrator.ClampToRails(x.AsSpan(sample * d, d));
        _lane.Counters.IntegratorClips += clipped;
        return clipped > 0;
    }

    public async ValueTask DerivativeAsync(int[] active, int count, double[] x, double[] s, double[] dx, double[] power, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        var lane = _lane;
        int d = machine.Graph.InputDim, n = lane.Count, tiles = machine.Tiles.Length;
        Ensure(count, tiles, d);
        for (int a = 0; a < count; a++)
        {
            int i = active[a];
            for (int j = 0; j < d; j++) _x[a * d + j] = (float)x[i * d + j];
            _t[a] = (float)(held ? _heldTau : Tau(s[i]));
            _labels[a] = lane.Labels.Length > 0 ? lane.Labels[i] : machine.Graph.NullLabel;
            _samples[a] = lane.FirstSample + i;
        }
        if (!_runs.TryGetValue(count, out var run)) _runs[count] = run = new GraphRun(machine.Graph, count);
        var read = new ReadContext(options.Seed, lane.FirstSample, _segment, 0, _samples);
        var counts = await machine.EvaluateAsync(run, _workspace, _tiles, _x.AsMemory(0, count * d), _t.AsMemory(0, count),
            machine.Graph.IsConditional ? _labels.AsMemory(0, count) : ReadOnlyMemory<long>.Empty, _score.AsMemory(0, count * d), read, _power.AsMemory(0, tiles * count), cancel);
        Count(ref lane.Counters, counts);
        for (int a = 0; a < count; a++)
        {
            int i = active[a];
            var (drift, gain) = coefficients.At(held ? _heldTau : Tau(s[i]));
            lane.Counters.ScoreAdcOverflows += integrator.Derivative(x.AsSpan(i * d, d), _score.AsSpan(a * d, d), drift, gain, dx.AsSpan(i * d, d));
            for (int t = 0; t < tiles; t++) power[t * n + i] = _power[t * count + a];
        }
        for (int t = 0; t < tiles; t++) lane.TileMvms[t] += count * (long)machine.Plan.Layers[machine.Plan.Tiles[t].Layer].VectorsPerSample;
        lane.Counters.NetworkEvaluations++;
        lane.Counters.SampleEvaluations += count;
    }

    /// <summary>A pass's counts into the lane's counters (the MLP's names where the meaning is the same).</summary>
    private static void Count(ref LaneCounters c, GraphPassCounts p)
    {
        c.InputOverflows += p.TileInputOverflows;
        c.SaturatedOutputs += p.SaturatedTileOutputs;
        c.TileAdcOverflows += p.TileAdcOverflows;
        c.PeripheryClips += p.PeripheryClips;
        c.DigitalConversions += p.DigitalConversions;
        c.DigitalAdcOverflows += p.DigitalAdcOverflows;
        c.EmbeddingOverflows += p.ControllerDacOverflows;
    }

    /// <summary>A run's pass counts, from its counters and its tiles' MVMs.</summary>
    internal static GraphPassCounts Of(LaneCounters c, long mvms) => new(c.InputOverflows, c.SaturatedOutputs, c.TileAdcOverflows, c.PeripheryClips,
        c.DigitalConversions, c.DigitalAdcOverflows, c.EmbeddingOverflows, mvms);

    private void Ensure(int count, int tiles, int d)
    {
        if (_t.Length >= count) return;
        _x = new float[count * d];
        _t = new float[count];
        _score = new float[count * d];
        _labels = new long[count];
        _samples = new long[count];
        _power = new double[tiles * count];
    }

    internal static GraphPassCounts Add(GraphPassCounts a, GraphPassCounts b) => new(a.TileInputOverflows + b.TileInputOverflows,
        a.SaturatedTileOutputs + b.SaturatedTileOutputs, a.TileAdcOverflows + b.TileAdcOverflows, a.PeripheryClips + b.PeripheryClips,
        a.DigitalConversions + b.DigitalConversions, a.DigitalAdcOverflows + b.DigitalAdcOverflows, a.ControllerDacOverflows + b.ControllerDacOverflows, a.Mvms + b.Mvms);
}
