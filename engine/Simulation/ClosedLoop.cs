using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Simulation;

/// <summary>
/// The analog loop of one lane as the solvers see it: the controller's DACs (held for the segment or
/// live), one network pass through the tiles (two with guidance), and the integrator channels that turn
/// the score into dx/ds. Bound to a lane, its tiles and its segment by <see cref="Begin"/>.
/// </summary>
internal sealed class ClosedLoop(LaneDriver driver, LaneWorkspace w) : ILoopDynamics
{
    private LaneState _lane = null!;
    private ITileTransport _tiles = null!;
    private int _segment;

    public void Begin(LaneState lane, ITileTransport tiles, int segment)
    {
        _lane = lane;
        _tiles = tiles;
        _segment = segment;
    }

    public double TimeConstant => driver.TimeConstant;

    public double Tau(double s) => driver.Options.StartTime - s;

    public double NoiseAmplitude(double s) => driver.Integrator.NoiseAmplitude(driver.Sde, Tau(s));

    public bool ClampToRails(double[] x)
    {
        int clipped = driver.Integrator.ClampToRails(x);
        _lane.Counters.IntegratorClips += clipped;
        return clipped > 0;
    }

    public async ValueTask DerivativeAsync(double[] x, double s, double[] dx, double[] power, CancellationToken cancel)
    {
        var options = driver.Options;
        double tau = Tau(s);
        double f, gain;
        float[] embedding;
        if (driver.IsHeld) { f = w.HeldDrift; gain = w.HeldScoreGain; embedding = w.HeldEmbedding; }
        else
        {
            (f, gain) = driver.Controller.Coefficients(tau);
            driver.Controller.Embeddings(tau, w.LiveEmbedding, []);
            embedding = w.LiveEmbedding;
        }
        var lane = _lane;
        int n = lane.Count, d = driver.Dim;
        var xf = w.XFloat;
        for (int i = 0; i < x.Length; i++) xf[i] = (float)x[i];
        Array.Clear(power);
        bool conditioned = driver.Network.IsConditional && lane.Labels.Length > 0;
        await driver.Pass.RunAsync(w.Pass, lane, _tiles, xf, nullLabels: !conditioned, Read(0), embedding, w.Score, power, cancel);
        if (options.IsGuided)
        {
            await driver.Pass.RunAsync(w.Pass, lane, _tiles, xf, nullLabels: true, Read(1), embedding, w.Unconditional, power, cancel);
            ClassifierFreeGuidance.Combine(w.Score.AsSpan(0, n * d), w.Unconditional.AsSpan(0, n * d), options.GuidanceWeight, w.Score.AsSpan(0, n * d));
        }
        driver.Integrator.Derivative(x, w.Score, n, f, gain, dx);
    }

    private ReadContext Read(int pass) => new(driver.Options.Seed, _lane.FirstSample, _segment, pass);
}
