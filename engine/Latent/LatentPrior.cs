namespace MemristorGrid.Engine.Latent;

/// <summary>
/// The class-conditional latent prior N(m_c, I) the VAE pulls each class towards, and the scale the
/// latents are divided by before the score model sees them. The authors' conditional notebook (see
/// PAPER.md) uses latent size 2, three means 120° apart on a circle of radius 4, and divides by 8;
/// their plot places the blobs at 60°, 180° and 300°, so class k sits at angle π(2k + 1)/C. For a
/// latent of 3 or more dimensions (an extension of ours, no published value) class k sits at
/// ±radius on axis k mod D (the vertices of a cross-polytope: C ≤ 2D), so every pair of means is at
/// least radius·√2 apart.
/// </summary>
public sealed record LatentPrior(int LatentDim, int Classes, double Radius, double Scale)
{
    /// <summary>The authors' radius and scale (PAPER.md, conditional notebook).</summary>
    public const double PaperRadius = 4.0, PaperScale = 8.0;

    public void Validate()
    {
        UserInputException.Require(LatentDim >= 1, "latent", $"must be at least 1 (got {LatentDim})");
        UserInputException.Require(Radius > 0 && double.IsFinite(Radius), "prior_radius", $"must be positive (got {Radius})");
        UserInputException.Require(Scale > 0 && double.IsFinite(Scale), "latent_scale", $"must be positive (got {Scale})");
        if (LatentDim == 1)
            UserInputException.Require(Classes <= 2, "latent", $"of 1 holds at most 2 class means (got {Classes} classes); use --latent 2 or more");
        else if (LatentDim > 2)
            UserInputException.Require(Classes <= 2 * LatentDim, "latent", $"of {LatentDim} places at most {2 * LatentDim} class means on its axes (got {Classes} classes); use --latent 2 (a circle) or at least {(Classes + 1) / 2}");
    }

    /// <summary>Class means in VAE latent units, [Classes × LatentDim] row-major.</summary>
    public double[] Means()
    {
        var m = new double[Classes * LatentDim];
        for (int k = 0; k < Classes; k++)
        {
            if (LatentDim == 2)
            {
                double angle = Math.PI * (2 * k + 1) / Classes;
                m[k * 2] = Radius * Math.Cos(angle);
                m[k * 2 + 1] = Radius * Math.Sin(angle);
            }
            else
                m[k * LatentDim + k % LatentDim] = k < LatentDim ? Radius : -Radius;
        }
        return m;
    }
}
