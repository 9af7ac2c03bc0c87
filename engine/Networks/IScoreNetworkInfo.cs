namespace MemristorGrid.Engine.Networks;

/// <summary>
/// What the digital pipeline (ONNX Runtime in the paper's samplers, metrics, labels, the platform's
/// energy) needs to know of a score network, whichever importer read it: the paper's MLP family
/// (<see cref="ScoreNetwork"/>) or a general graph such as a U-Net (<see cref="Graphs.ScoreGraph"/>).
/// </summary>
public interface IScoreNetworkInfo
{
    int InputDim { get; }
    bool IsConditional { get; }
    int ClassCount { get; }
    /// <summary>The label index of the null (unconditional) embedding.</summary>
    int NullLabel { get; }
    IReadOnlyList<string> ClassNames { get; }
    DiffusionMetadata Metadata { get; }
    /// <summary>Multiply-accumulates of one evaluation of one sample (a digital platform's FLOPs are twice these).</summary>
    double MacsPerEvaluation { get; }
}
