using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace MemristorGrid.Engine.Onnx;

/// <summary>The protobuf pieces both exporters build graphs from.</summary>
internal static class OnnxProtos
{
    public const int FloatType = 1, Int64Type = 7;

    public static NodeProto Node(string op, string name, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        return node;
    }

    public static TensorProto FloatTensor(string name, float[] values, long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.Add(dims);
        return t;
    }

    public static TensorProto Int64Tensor(string name, long[] values, long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = Int64Type, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.Add(dims);
        return t;
    }

    /// <summary>A graph input or output [batchDim] or [batchDim, features].</summary>
    public static ValueInfoProto TensorInput(string name, int elemType, string batchDim, int? features = null)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batchDim });
        if (features is { } f) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = f });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = shape } },
        };
    }
}
