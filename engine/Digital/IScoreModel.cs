using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Digital;

/// <summary>Something that evaluates s(x, t, label) for a row-major batch: the engine's own network,
/// ONNX Runtime, and later the analog simulator.</summary>
public interface IScoreModel
{
    int Dim { get; }

    /// <summary>Label index of the null (unconditional) embedding, or −1 for unconditional models.</summary>
    int NullLabel { get; }

    void Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> labels, Span<float> score);
}

/// <summary>The engine's float forward pass as an <see cref="IScoreModel"/> (single-threaded use).</summary>
public sealed class NetworkScoreModel(ScoreNetwork network) : IScoreModel
{
    private readonly ScoreWorkspace _workspace = new();
    public int Dim => network.InputDim;
    public int NullLabel => network.IsConditional ? network.NullLabel : -1;

    public void Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> labels, Span<float> score) =>
        network.Forward(x, t, labels, score, _workspace);
}
