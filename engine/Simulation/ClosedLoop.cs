using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Simulation;

/// <summary>
/// The analog loop of one lane as the solvers see it: the controller's DACs (held for the segment, or
/// live at each sample's own time), one network pass through the tiles (two with guidance) over the
/// samples asked for, and the integrator channels that turn each score into dx/ds. Bound to a lane,
/// its tiles and its segment by <see cref="Begin"/>.
/// </summary>
internal sealed class ClosedLoop(LaneDriver driver, LaneWorkspace w) : ILoopDynamics
{
    private LaneState _lane = null!;
    private IChipTransport _tiles = null!;
    private int _segment;

    public void Begin(LaneState lane, IChipTransport tiles, int segment)
    {
        _lane = lane;
        _tiles = tiles;
        _segment = segment;
    }

    public double TimeConstant => driver.TimeConstant;

    public double Tau(double s) => driver.Options.StartTime - s;

    public double NoiseAmplitude(double s) => driver.Integrator.NoiseAmplitude(driver.Sde, Tau(s));

    public bool HasRails => driver.Integrator.HasRails;

    public bool ClampToRails(double[] x, int sample)
    {
        int d = driver.Dim;
        int clipped = driver.Integrator.ClampToRails(x.AsSpan(sample * d, d));
        _lane.Counters.IntegratorClips += clipped;
        return clipped > 0;
    }

    public async ValueTask DerivativeAsync(int[] active, int count, double[] x, double[] s, double[] dx, double[] power, CancellationToken cancel)
    {
        var lane = _lane;
        var options = driver.Options;
        var controller = driver.Controller;
        int n = lane.Count, d = driver.Dim, h = controller.Width, tiles = driver.Plan.Tiles.Count;
        bool conditioned = driver.Network.IsConditional && lane.Labels.Length > 0;
        int nullRow = driver.Network.IsConditional ? driver.Network.NullLabel : 0;
        // Gather the samples asked for into one batch; a whole lane (then the active list is the
        // identity) is read as consecutive samples.
        bool whole = count == n;
        if (whole)
            for (int j = 0; j < n * d; j++) w.XFloat[j] = (float)x[j];
        else
            for (int a = 0; a < count; a++)
            {
                int i = active[a];
                for (int j = 0; j < d; j++) w.XFloat[a * d + j] = (float)x[i * d + j];
                w.SampleIndex[a] = lane.FirstSample + i;
            }
        if (conditioned)
            for (int a = 0; a < count; a++) w.Rows[a] = lane.Labels[whole ? a : active[a]];
        else Array.Fill(w.Rows, nullRow, 0, count);
        if (driver.IsHeld)
        {
            Array.Fill(w.Drift, w.HeldDrift, 0, count);
            Array.Fill(w.Gain, w.HeldScoreGain, 0, count);
        }
        else
        {
            for (int a = 0; a < count; a++)
            {
                double tau = Tau(s[whole ? a : active[a]]);
                w.Taus[a] = tau;
                w.LiveTimes[a] = (float)tau;
            }
            controller.Coefficients(w.Taus.AsSpan(0, count), w.Drift, w.Gain);
        }
        if (!driver.IsHeld)
        {
            // Every sample's DAC rows at its own time, in one batch.
            controller.EmbeddingsAt(w.LiveTimes.AsSpan(0, count), w.Rows.AsSpan(0, count), w.LiveEmbedding.AsSpan(0, count * h));
            if (options.IsGuided) controller.EmbeddingsAt(w.LiveTimes.AsSpan(0, count), w.NullRows.AsSpan(0, count), w.LiveNullEmbedding.AsSpan(0, count * h));
        }
        // Held: one table of label rows for the segment; live: one row per sample at its own time.
        float[] table = driver.IsHeld ? w.HeldEmbedding : w.LiveEmbedding, nullTable = driver.IsHeld ? w.HeldEmbedding : w.LiveNullEmbedding;
        int[] rows = driver.IsHeld ? w.Rows : w.Identity, nullRows = driver.IsHeld ? w.NullRows : w.Identity;
        // A whole lane's cell powers are added straight into the lane's places (the same layout).
        double[] batchPower = whole ? power : w.BatchPower;
        Array.Clear(batchPower, 0, tiles * count);
        var read = new ReadContext(options.Seed, lane.FirstSample, _segment, 0, whole ? null : w.SampleIndex);
        await driver.Pass.RunAsync(w.Pass, lane, _tiles, count, w.XFloat, read, table, rows, w.Score, batchPower, cancel);
        if (options.IsGuided)
        {
            await driver.Pass.RunAsync(w.Pass, lane, _tiles, count, w.XFloat, read with { Pass = 1 }, nullTable, nullRows, w.Unconditional, batchPower, cancel);
            ClassifierFreeGuidance.Combine(w.Score.AsSpan(0, count * d), w.Unconditional.AsSpan(0, count * d), options.GuidanceWeight, w.Score.AsSpan(0, count * d));
        }
        // Scatter: dx and every tile's cell power back to the samples' places in the lane.
        lane.Counters.ScoreAdcOverflows += driver.Integrator.Derivatives(active, count, whole, x, w.Score, w.Drift, w.Gain, dx);
        if (!whole)
            for (int t = 0; t < tiles; t++)
                for (int a = 0; a < count; a++) power[t * n + active[a]] = w.BatchPower[t * count + a];
    }
}
