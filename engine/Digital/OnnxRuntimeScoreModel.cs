using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace MemristorGrid.Engine.Digital;

/// <summary>
/// The digital baseline's score model: the ONNX file run by ONNX Runtime. Input and output tensors
/// are bound once to pinned buffers of the batch size, so a sampling step copies x in, runs, and
/// reads the score out without allocating.
/// </summary>
public sealed class OnnxRuntimeScoreModel : IScoreModel, IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly int _dim;
    private readonly bool _conditional;
    private int _capacity = -1;
    private float[] _x = [], _t = [], _score = [];
    private long[] _labels = [];
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];
    private string[] _inputNames = [];
    private static readonly string[] OutputNames = [OnnxNames.OutputScore];

    public OnnxRuntimeScoreModel(byte[] modelBytes, ScoreNetwork description, int intraOpThreads = 1)
    {
        _dim = description.InputDim;
        _conditional = description.IsConditional;
        NullLabel = _conditional ? description.NullLabel : -1;
        var options = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try { _session = new InferenceSession(modelBytes, options); }
        catch (OnnxRuntimeException e) { throw new UserInputException($"ONNX Runtime cannot load the model: {e.Message}"); }
    }

    public int Dim => _dim;
    public int NullLabel { get; }

    public void Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> labels, Span<float> score)
    {
        int n = t.Length;
        Bind(n);
        x.CopyTo(_x);
        t.CopyTo(_t);
        if (_conditional)
        {
            if (labels.Length == 0) _labels.AsSpan().Fill(NullLabel);
            else labels.CopyTo(_labels);
        }
        _session.Run(_runOptions, _inputNames, _inputs, OutputNames, _outputs);
        _score.AsSpan(0, n * _dim).CopyTo(score);
    }

    private void Bind(int n)
    {
        if (n == _capacity) return;
        foreach (var v in _inputs.Concat(_outputs)) v.Dispose();
        _capacity = n;
        _x = new float[n * _dim];
        _t = new float[n];
        _score = new float[n * _dim];
        _labels = new long[n];
        var inputs = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(_x, [n, _dim]),
            OrtValue.CreateTensorValueFromMemory(_t, [n]),
        };
        var names = new List<string> { OnnxNames.InputX, OnnxNames.InputT };
        if (_conditional)
        {
            inputs.Add(OrtValue.CreateTensorValueFromMemory(_labels, [n]));
            names.Add(OnnxNames.InputLabel);
        }
        _inputs = inputs.ToArray();
        _inputNames = names.ToArray();
        _outputs = [OrtValue.CreateTensorValueFromMemory(_score, [n, _dim])];
    }

    public void Dispose()
    {
        foreach (var v in _inputs.Concat(_outputs)) v.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
