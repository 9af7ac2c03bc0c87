using Onnx;

namespace MemristorGrid.Engine.Graphs.Import;

/// <summary>Nearest-neighbour Resize (U-Net up-sampling) and AveragePool (down-sampling) of [C, H, W] tensors.</summary>
internal static class Resampling
{
    public static Sym Resize(NodeProto node, RuntimeSym x, Sym?[] inputs, ImportContext ctx)
    {
        string name = ImportContext.NodeName(node);
        string mode = ImportContext.Text(node, "mode", "nearest");
        if (mode != "nearest") throw ctx.Fail($"Resize node '{name}' uses mode '{mode}'; only 'nearest' is supported (up-sample with F.interpolate(mode=\"nearest\") or a strided ConvTranspose-free U-Net)");
        var inShape = x.Value.Shape;
        int rank = inShape.Length;
        double[] scales;
        int[] outShape;
        Sym? sizes = inputs.Length > 3 ? inputs[3] : null, scaleSym = inputs.Length > 2 ? inputs[2] : null;
        if (sizes is ShapeSym or ConstSym { Values.Length: > 0 })
        {
            // The sizes include the batch axis, which must stay the symbolic N (Shape(x)[:2] concatenated with the new H, W).
            if (sizes is not ShapeSym shape || shape.Values.Length != rank + 1 || shape.Values[0] != new SymInt(1, 0) || shape.Values.Skip(1).Any(v => !v.IsConstant))
                throw ctx.Fail($"Resize node '{name}' gives sizes that fix the batch size; export with dynamic_axes, or resize by scales");
            outShape = shape.Values.Skip(1).Select(v => (int)v.Constant).ToArray();
            scales = outShape.Select((o, i) => (double)o / inShape[i]).ToArray();
        }
        else if (scaleSym is ConstSym c && c.Values.Length == rank + 1)
        {
            if (c.Values[0] != 1) throw ctx.Fail($"Resize node '{name}' scales the batch axis");
            scales = c.Values.Skip(1).ToArray();
            outShape = inShape.Select((d, i) => (int)Math.Floor(d * scales[i])).ToArray();
        }
        else throw ctx.Fail($"Resize node '{name}' needs constant scales or sizes");
        string transform = ImportContext.Text(node, "coordinate_transformation_mode", "half_pixel");
        string nearest = ImportContext.Text(node, "nearest_mode", "round_prefer_floor");
        var index = new int[rank][];
        for (int d = 0; d < rank; d++)
        {
            index[d] = new int[outShape[d]];
            for (int o = 0; o < outShape[d]; o++)
            {
                double src = transform switch
                {
                    "asymmetric" => o / scales[d],
                    "align_corners" => outShape[d] == 1 ? 0 : o * (inShape[d] - 1.0) / (outShape[d] - 1.0),
                    "pytorch_half_pixel" => outShape[d] > 1 ? (o + 0.5) / scales[d] - 0.5 : 0,
                    "half_pixel" => (o + 0.5) / scales[d] - 0.5,
                    "tf_half_pixel_for_nn" => (o + 0.5) / scales[d],
                    _ => throw ctx.Fail($"Resize node '{name}' uses coordinate_transformation_mode '{transform}', which is not supported"),
                };
                double i = nearest switch
                {
                    "floor" => Math.Floor(src),
                    "ceil" => Math.Ceiling(src),
                    "round_prefer_ceil" => Math.Floor(src + 0.5),
                    "round_prefer_floor" => src == Math.Floor(src) + 0.5 ? Math.Floor(src) : Math.Round(src),
                    _ => throw ctx.Fail($"Resize node '{name}' uses nearest_mode '{nearest}', which is not supported"),
                };
                index[d][o] = (int)Math.Clamp(i, 0, inShape[d] - 1);
            }
        }
        int size = outShape.Aggregate(1, (a, b) => a * b);
        var offsets = new int[size];
        var at = new int[rank];
        for (int e = 0; e < size; e++)
        {
            int off = 0;
            for (int d = 0; d < rank; d++) off = off * inShape[d] + index[d][at[d]];
            offsets[e] = off;
            for (int d = rank - 1; d >= 0 && ++at[d] == outShape[d]; d--) at[d] = 0;
        }
        return ctx.Add(id => new IndexMapNode(name, "Resize", [x.Value.Id], [x.Value.Size], id, new int[size], offsets), node.Output[0], outShape, x.Value.DependsOnX);
    }

    public static Sym AveragePool(NodeProto node, RuntimeSym x, ImportContext ctx)
    {
        string name = ImportContext.NodeName(node);
        var shape = x.Value.Shape;
        if (shape.Length != 3) throw ctx.Fail($"AveragePool node '{name}' pools a {shape.Length + 1}-D tensor; only [N, C, H, W] is supported");
        if (ImportContext.Int(node, "ceil_mode", 0) != 0) throw ctx.Fail($"AveragePool node '{name}' uses ceil_mode = 1, which is not supported");
        if (ImportContext.Text(node, "auto_pad", "NOTSET") is not ("NOTSET" or "VALID")) throw ctx.Fail($"AveragePool node '{name}' uses auto_pad, which is not supported; give explicit pads");
        var k = ImportContext.Ints(node, "kernel_shape") ?? throw ctx.Fail($"AveragePool node '{name}' has no kernel_shape");
        var st = ImportContext.Ints(node, "strides") ?? [1, 1];
        var pads = ImportContext.Ints(node, "pads") ?? [0, 0, 0, 0];
        bool countPad = ImportContext.Int(node, "count_include_pad", 0) == 1;
        int c = shape[0], h = shape[1], w = shape[2];
        int ho = (int)((h + pads[0] + pads[2] - k[0]) / st[0] + 1), wo = (int)((w + pads[1] + pads[3] - k[1]) / st[1] + 1);
        var windows = new int[c * ho * wo][];
        var divisors = new int[windows.Length];
        for (int ch = 0; ch < c; ch++)
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++)
                {
                    var offs = new List<int>();
                    for (long i = 0; i < k[0]; i++)
                        for (long j = 0; j < k[1]; j++)
                        {
                            long iy = oy * st[0] - pads[0] + i, ix = ox * st[1] - pads[1] + j;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) offs.Add((int)((ch * h + iy) * w + ix));
                        }
                    int e = (ch * ho + oy) * wo + ox;
                    windows[e] = offs.ToArray();
                    divisors[e] = countPad ? (int)(k[0] * k[1]) : Math.Max(1, offs.Count);
                }
        return ctx.Add(id => new AveragePoolNode(name, x.Value.Id, id, x.Value.Size, windows, divisors), node.Output[0], [c, ho, wo], x.Value.DependsOnX);
    }
}
