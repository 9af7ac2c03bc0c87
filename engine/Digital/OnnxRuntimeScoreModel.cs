using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MemristorGrid.Engine.Digital;

/// <summary>
/// The digital baseline's score model: the ONNX file run by ONNX Runtime. Input and output tensors
/// are bound once to pinned buffers of the batch size, so a sampling step copies x in, runs, and
/// reads the score out without allocating. Inputs are bound by type and shape, not by name, as the
/// importer reads them (x: the first float [N, D]; t: the other float, [N] or [N, 1]; the label: the
/// integer input), so a PyTorch export with its own input and output names runs as it is.
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
    private int[] _labels32 = [];
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];
    private string[] _inputNames = [];
    private readonly string[] _outputNames;
    private readonly string _xName, _tName;
    private readonly string? _labelName;
    private readonly bool _tIsColumn, _labelIs32;
    private readonly long[] _xDims = [], _scoreDims = [];

    public OnnxRuntimeScoreModel(byte[] modelBytes, IScoreNetworkInfo description, int intraOpThreads = 1)
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
        string? x = null, t = null;
        foreach (var (name, meta) in _session.InputMetadata)
        {
            // x is the float input whose sample dimensions hold the network's D values ([N, D], or an image [N, C, H, W]).
            long sampleSize = meta.Dimensions.Skip(1).Aggregate(1L, (a, b) => a * b);
            if (meta.ElementDataType is TensorElementType.Int64 or TensorElementType.Int32) { _labelName = name; _labelIs32 = meta.ElementDataType == TensorElementType.Int32; }
            else if (x is null && meta.Dimensions.Length >= 2 && sampleSize == _dim && name != OnnxNames.InputT) { x = name; _xDims = meta.Dimensions.Skip(1).Select(d => (long)d).ToArray(); }
            else if (t is null) { t = name; _tIsColumn = meta.Dimensions.Length == 2; }
        }
        var output = _session.OutputMetadata.First().Value.Dimensions;
        _scoreDims = output.Length >= 2 && output.Skip(1).All(d => d > 0) && output.Skip(1).Aggregate(1L, (a, b) => a * b) == _dim
            ? output.Skip(1).Select(d => (long)d).ToArray() : [_dim];
        _xName = x ?? throw new UserInputException("the model has no input x of shape [N, D] (float)");
        _tName = t ?? throw new UserInputException("the model has no time input t of shape [N] (float)");
        if (_conditional && _labelName is null) throw new UserInputException("the model is conditional but has no integer label input");
        _outputNames = [_session.OutputMetadata.Keys.First()];
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
            if (_labelIs32) for (int i = 0; i < n; i++) _labels32[i] = (int)_labels[i];
        }
        _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
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
        _labels32 = _labelIs32 ? new int[n] : [];
        var inputs = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(_x, [n, .. _xDims]),
            _tIsColumn ? OrtValue.CreateTensorValueFromMemory(_t, [n, 1]) : OrtValue.CreateTensorValueFromMemory(_t, [n]),
        };
        var names = new List<string> { _xName, _tName };
        if (_conditional)
        {
            inputs.Add(_labelIs32 ? OrtValue.CreateTensorValueFromMemory(_labels32, [n]) : OrtValue.CreateTensorValueFromMemory(_labels, [n]));
            names.Add(_labelName!);
        }
        _inputs = inputs.ToArray();
        _inputNames = names.ToArray();
        _outputs = [OrtValue.CreateTensorValueFromMemory(_score, [n, .. _scoreDims])];
    }

    public void Dispose()
    {
        foreach (var v in _inputs.Concat(_outputs)) v.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
