namespace MemristorGrid.Engine.Networks;

/// <summary>Special functions .NET lacks. Accurate to ~1e-14, so finite-difference checks see no model error.</summary>
public static class SpecialFunctions
{
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        if (ax < 2.5)
        {
            // Maclaurin series: erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)); terms peak near e^{x²}, so
            // at |x| < 2.5 at most ~3 digits are lost to cancellation.
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 200; n++)
            {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            return 2.0 / Math.Sqrt(Math.PI) * sum;
        }
        double erfc = ErfcContinuedFraction(ax);
        return x > 0 ? 1.0 - erfc : erfc - 1.0;
    }

    /// <summary>erfc(x) for x ≥ 2.5 by the Laplace continued fraction, evaluated with modified Lentz.</summary>
    private static double ErfcContinuedFraction(double x)
    {
        // erfc x = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 500; n++)
        {
            double a = n * 0.5;
            d = x + a * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = x + a / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16) break;
        }
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }

    /// <summary>GELU (exact form): ½u(1 + erf(u/√2)).</summary>
    public static double Gelu(double u) => 0.5 * u * (1.0 + Erf(u / Math.Sqrt(2.0)));

    /// <summary>d/du GELU(u) = Φ(u) + u·φ(u).</summary>
    public static double GeluDerivative(double u) =>
        0.5 * (1.0 + Erf(u / Math.Sqrt(2.0))) + u * Math.Exp(-0.5 * u * u) / Math.Sqrt(2.0 * Math.PI);
}
