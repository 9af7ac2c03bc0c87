namespace MemristorGrid.Engine.Diffusion;

/// <summary>
/// A forward diffusion dx = f(t)·x dt + g(t) dw whose drift is linear in x (VP and VE both are),
/// with Gaussian marginals x(t) | x(0) ~ N(m(t)·x(0), σ(t)²). Time runs 0 (data) → 1 (prior).
/// </summary>
public abstract class DiffusionSde
{
    /// <summary>f(t) in the forward drift f(t)·x.</summary>
    public abstract double DriftCoefficient(double t);

    /// <summary>g(t), the forward diffusion coefficient.</summary>
    public abstract double Diffusion(double t);

    /// <summary>m(t): x(t) = m(t)·x(0) + σ(t)·z.</summary>
    public abstract double MarginalMean(double t);

    /// <summary>σ(t), the marginal standard deviation (the DSM loss weight).</summary>
    public abstract double MarginalStd(double t);

    /// <summary>Standard deviation of the prior the reverse process starts from at t = 1.</summary>
    public abstract double PriorStd { get; }

    /// <summary>The SDE used for sampling with its noise schedule multiplied by <paramref name="scale"/>
    /// (the paper samples with β scaled by 2 unconditionally and 1.5 conditionally).</summary>
    public abstract DiffusionSde WithScheduleScale(double scale);

    /// <summary>Reverse-time SDE: dx = [f x − g² s] dt + g dw̄. Returns the drift coefficient pair (f, g²)
    /// so callers can form the drift on spans without a per-element virtual call.</summary>
    public (double F, double G2) ReverseSdeCoefficients(double t) => (DriftCoefficient(t), DiffusionSquared(t));

    /// <summary>g²(t). Defined past t = 0 too, where a VP schedule's β — and so g² — turns negative (the demo
    /// board's run continues to τ = −0.2 and its coefficient channels carry β itself, not √β).</summary>
    public virtual double DiffusionSquared(double t)
    {
        double g = Diffusion(t);
        return g * g;
    }

    /// <summary>Reverse SDE drift for one coordinate: f·x − g²·s.</summary>
    public double ReverseSdeDrift(double x, double score, double t)
    {
        var (f, g2) = ReverseSdeCoefficients(t);
        return f * x - g2 * score;
    }

    /// <summary>Probability-flow ODE drift for one coordinate: f·x − ½g²·s.</summary>
    public double ProbabilityFlowDrift(double x, double score, double t)
    {
        var (f, g2) = ReverseSdeCoefficients(t);
        return f * x - 0.5 * g2 * score;
    }

    /// <summary>Metadata name of this SDE kind ("vp" or "ve").</summary>
    public abstract string Kind { get; }
}

/// <summary>Variance-preserving SDE with a linear schedule β(t) = β₀ + t(β₁ − β₀).</summary>
public sealed class VpSde : DiffusionSde
{
    public VpSde(double betaMin, double betaMax)
    {
        if (!(betaMin >= 0) || !(betaMax > 0) || !double.IsFinite(betaMin) || !double.IsFinite(betaMax))
            throw new UserInputException($"VP-SDE needs 0 ≤ β₀ and 0 < β₁ (finite); got β₀={betaMin}, β₁={betaMax}.");
        BetaMin = betaMin;
        BetaMax = betaMax;
    }

    public double BetaMin { get; }
    public double BetaMax { get; }
    public override string Kind => "vp";

    public double Beta(double t) => BetaMin + t * (BetaMax - BetaMin);

    /// <summary>∫₀ᵗ β(s) ds.</summary>
    public double IntegratedBeta(double t) => BetaMin * t + 0.5 * t * t * (BetaMax - BetaMin);

    public override double DriftCoefficient(double t) => -0.5 * Beta(t);
    public override double Diffusion(double t) => Math.Sqrt(Beta(t));

    /// <summary>β(t), negative before t = 0. For β ≥ 0 it is (√β)², as it always was: recorded samples keep their bits.</summary>
    public override double DiffusionSquared(double t)
    {
        double beta = Beta(t);
        if (beta < 0) return beta;
        double g = Math.Sqrt(beta);
        return g * g;
    }
    public override double MarginalMean(double t) => Math.Exp(-0.5 * IntegratedBeta(t));
    public override double MarginalStd(double t) => Math.Sqrt(OneMinusExpNeg(IntegratedBeta(t)));

    /// <summary>1 − e^{−x}, accurate for tiny x (σ(t) near t = 0 would otherwise lose its digits).</summary>
    private static double OneMinusExpNeg(double x) =>
        Math.Abs(x) < 1e-4 ? x * (1 - x * (0.5 - x / 6.0)) : 1.0 - Math.Exp(-x);
    public override double PriorStd => 1.0;
    public override DiffusionSde WithScheduleScale(double scale) => new VpSde(BetaMin * scale, BetaMax * scale);
}

/// <summary>Variance-exploding SDE: σ(t) = σmin (σmax/σmin)^t, no drift.</summary>
public sealed class VeSde : DiffusionSde
{
    public VeSde(double sigmaMin, double sigmaMax)
    {
        if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || !double.IsFinite(sigmaMax))
            throw new UserInputException($"VE-SDE needs 0 < σmin < σmax (finite); got σmin={sigmaMin}, σmax={sigmaMax}.");
        SigmaMin = sigmaMin;
        SigmaMax = sigmaMax;
    }

    public double SigmaMin { get; }
    public double SigmaMax { get; }
    public override string Kind => "ve";

    public double Sigma(double t) => SigmaMin * Math.Pow(SigmaMax / SigmaMin, t);

    public override double DriftCoefficient(double t) => 0.0;
    public override double Diffusion(double t) => Sigma(t) * Math.Sqrt(2.0 * Math.Log(SigmaMax / SigmaMin));
    public override double MarginalMean(double t) => 1.0;
    public override double MarginalStd(double t)
    {
        double s = Sigma(t);
        return Math.Sqrt(Math.Max(s * s - SigmaMin * SigmaMin, 0.0));
    }
    public override double PriorStd => SigmaMax;

    /// <summary>Scaling a VE schedule scales log-σ growth: g² is multiplied by <paramref name="scale"/>.</summary>
    public override DiffusionSde WithScheduleScale(double scale) =>
        scale == 1.0 ? this : new VeSde(SigmaMin, SigmaMin * Math.Pow(SigmaMax / SigmaMin, scale));
}

/// <summary>Classifier-free guidance: (1 + w)·s(x, t, c) − w·s(x, t, ∅).</summary>
public static class ClassifierFreeGuidance
{
    /// <summary>Guidance mixes a conditional and an unconditional score: it needs a model with labels.</summary>
    public static void RequireConditional(float weight, bool conditionalModel) =>
        UserInputException.Require(weight == 0 || conditionalModel, "guidance_weight", "needs a conditional model");

    public static void Combine(ReadOnlySpan<float> conditional, ReadOnlySpan<float> unconditional, float weight, Span<float> result)
    {
        if (conditional.Length != unconditional.Length || result.Length != conditional.Length)
            throw new ArgumentException("guidance inputs must have equal length");
        for (int i = 0; i < result.Length; i++)
            result[i] = (1f + weight) * conditional[i] - weight * unconditional[i];
    }
}
