using System.Numerics;

namespace MemristorGrid.Engine.Learning;

/// <summary>Adam (Kingma &amp; Ba 2015) with β₁ 0.9, β₂ 0.999, ε 1e-8, the defaults of the paper and PyTorch.</summary>
public sealed class Adam<T>(int parameterCount, double learningRate) where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly T[] _m = new T[parameterCount], _v = new T[parameterCount];
    private int _step;

    public void Step(Span<T> parameters, ReadOnlySpan<T> gradient)
    {
        _step++;
        T b1 = T.CreateChecked(Beta1), b2 = T.CreateChecked(Beta2), one = T.One;
        T bc1 = T.CreateChecked(1 - Math.Pow(Beta1, _step)), bc2 = T.CreateChecked(1 - Math.Pow(Beta2, _step));
        T lr = T.CreateChecked(learningRate), eps = T.CreateChecked(Epsilon);
        for (int i = 0; i < parameters.Length; i++)
        {
            T g = gradient[i];
            _m[i] = b1 * _m[i] + (one - b1) * g;
            _v[i] = b2 * _v[i] + (one - b2) * g * g;
            parameters[i] -= lr * (_m[i] / bc1) / (T.Sqrt(_v[i] / bc2) + eps);
        }
    }
}
