using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;

namespace MemristorGrid.Engine.Tests;

public class DiffusionTests
{
    [Fact]
    public void Vp_marginals_solve_the_forward_moment_equations()
    {
        var sde = new VpSde(0.001, 0.5);
        // d m/dt = f(t)·m and d σ²/dt = 2 f σ² + g² for a linear SDE: check by central differences.
        foreach (double t in new[] { 0.01, 0.3, 0.7, 0.99 })
        {
            const double h = 1e-5;
            double dm = (sde.MarginalMean(t + h) - sde.MarginalMean(t - h)) / (2 * h);
            Assert.Equal(sde.DriftCoefficient(t) * sde.MarginalMean(t), dm, 1e-8);
            double s2 = sde.MarginalStd(t) * sde.MarginalStd(t);
            double ds2 = (Math.Pow(sde.MarginalStd(t + h), 2) - Math.Pow(sde.MarginalStd(t - h), 2)) / (2 * h);
            double g = sde.Diffusion(t);
            Assert.Equal(2 * sde.DriftCoefficient(t) * s2 + g * g, ds2, 1e-7);
        }
        Assert.Equal(1.0, sde.MarginalMean(0));
        Assert.Equal(0.0, sde.MarginalStd(0));
        Assert.True(sde.MarginalStd(1e-5) > 0);
    }

    [Fact]
    public void Ve_marginals_solve_the_forward_moment_equations()
    {
        var sde = new VeSde(0.01, 10);
        foreach (double t in new[] { 0.1, 0.5, 0.9 })
        {
            const double h = 1e-6;
            double ds2 = (Math.Pow(sde.MarginalStd(t + h), 2) - Math.Pow(sde.MarginalStd(t - h), 2)) / (2 * h);
            Assert.Equal(Math.Pow(sde.Diffusion(t), 2), ds2, 1e-4 * ds2);
        }
    }

    [Fact]
    public void Reverse_drifts_follow_their_formulas()
    {
        var sde = new VpSde(0.1, 20);
        double t = 0.4, x = 0.8, s = -1.3;
        double beta = 0.1 + t * 19.9;
        Assert.Equal(-0.5 * beta * x - beta * s, sde.ReverseSdeDrift(x, s, t), 12);
        Assert.Equal(-0.5 * beta * x - 0.5 * beta * s, sde.ProbabilityFlowDrift(x, s, t), 12);
        var scaled = (VpSde)sde.WithScheduleScale(2);
        Assert.Equal(2 * beta, scaled.Beta(t), 12);
    }

    [Fact]
    public void Guidance_combines_conditional_and_unconditional_scores()
    {
        float[] c = [1, 2], u = [3, -1], r = new float[2];
        ClassifierFreeGuidance.Combine(c, u, 0.5f, r);
        Assert.Equal([1.5f * 1 - 0.5f * 3, 1.5f * 2 + 0.5f], r);
        ClassifierFreeGuidance.Combine(c, u, 0f, r);
        Assert.Equal(c, r);
    }

    /// <summary>Data N(0, s0²) has the exact score −x / (m² s0² + σ²) at every t.</summary>
    private sealed class GaussianScore(DiffusionSde sde, double s0) : IScoreModel
    {
        public int Dim => 2;
        public int NullLabel => -1;
        public void Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> labels, Span<float> score)
        {
            for (int i = 0; i < t.Length; i++)
            {
                double m = sde.MarginalMean(t[i]), s = sde.MarginalStd(t[i]);
                double variance = m * m * s0 * s0 + s * s;
                for (int j = 0; j < 2; j++) score[i * 2 + j] = (float)(-x[i * 2 + j] / variance);
            }
        }
    }

    [Theory]
    [InlineData(SamplerKind.Ode)]
    [InlineData(SamplerKind.Sde)]
    public void Samplers_with_the_exact_score_recover_a_Gaussian(SamplerKind kind)
    {
        // β₁ = 20 so the forward process reaches the N(0, 1) prior the sampler starts from.
        var sde = new VpSde(0.1, 20);
        const double s0 = 0.5;
        const int n = 20_000;
        var result = DigitalSampler.Sample(new GaussianScore(sde, s0), sde, n, [],
            new SamplerOptions { Kind = kind, Steps = 1000, Seed = 3 });
        double variance = result.Samples.Select(v => (double)v * v).Average();
        double expected = s0 * s0 + Math.Pow(sde.MarginalStd(1e-4), 2);
        // Sampling error 5·√(2/(2n))·var plus the Euler discretisation error (a few % at 1000 steps).
        Assert.InRange(variance, expected * (1 - 0.05 - 5 * Math.Sqrt(1.0 / n)), expected * (1 + 0.05 + 5 * Math.Sqrt(1.0 / n)));
    }

    [Fact]
    public void Sampling_does_not_depend_on_the_batch_size()
    {
        var sde = new VpSde(0.1, 20);
        var model = new GaussianScore(sde, 0.5);
        var a = DigitalSampler.Sample(model, sde, 1000, [], new SamplerOptions { Steps = 50, BatchSize = 1000, Seed = 9 });
        var b = DigitalSampler.Sample(model, sde, 1000, [], new SamplerOptions { Steps = 50, BatchSize = 137, Seed = 9 });
        var c = DigitalSampler.Sample(model, sde, 1000, [], new SamplerOptions { Steps = 50, BatchSize = 137, Seed = 10 });
        Assert.Equal(a.Samples, b.Samples);
        Assert.NotEqual(a.Samples, c.Samples);
    }
}
