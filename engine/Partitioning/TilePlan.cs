using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MemristorGrid.Engine.Kernels;
namespace MemristorGrid.Engine.Partitioning;

/// <summary>
/// One crossbar tile of the plan: a block of one layer's augmented weight matrix [inputs + bias row ×
/// outputs]. Rows are the layer's inputs (row <c>Inputs</c> of the layer is its bias, driven at one unit);
/// columns are outputs, each a differential pair G⁺ − G⁻.
/// </summary>
public sealed record TilePlan(
    int Index, int Layer, int RowBlock, int ColBlock,
    int RowStart, int RowCount, int ColStart, int ColCount,
    int Chip, int HomeChip, int BiasRow,
    bool[] DigitisedRows, int[] RowSourceChips, bool DigitisedOutputs)
{
    /// <summary>The tile's name in its deployment, e.g. <c>L1/r0/c2</c>: in reports, telemetry and the tail of its grain key.</summary>
    public string Id => $"L{Layer}/r{RowBlock}/c{ColBlock}";

    /// <summary>Numeric identity for random streams: programming, faults and read noise of this tile.</summary>
    public ulong StreamKey => ((ulong)(uint)Layer << 40) | ((ulong)(uint)RowBlock << 20) | (uint)ColBlock;

    public int DigitisedRowCount => DigitisedRows.Count(d => d);

    /// <summary>Whether row <paramref name="r"/> comes from another chip (through the sender's ADC and a link).</summary>
    public bool ArrivesOverLink(int r) => DigitisedRows[r] && RowSourceChips[r] != Chip;

    public int LinkedRowCount => Enumerable.Range(0, RowCount).Count(ArrivesOverLink);
    public bool HasBias => BiasRow >= 0;

    /// <summary>
    /// This tile's row inputs for <paramref name="n"/> samples of a layer input [n × inWidth]: the
    /// tile's slice of features, and 1 on the bias row (feature index inWidth). Room in
    /// <paramref name="tileInput"/> past n × rows lets rows be copied as whole vectors (each spill is
    /// overwritten by the bias or the next row): the paper's rows are 2 and 14 wide, where a copy call
    /// per sample cost more than the copy.
    /// </summary>
    public void GatherInputs(ReadOnlySpan<float> layerInput, int inWidth, Span<float> tileInput, int n)
    {
        int features = Math.Min(RowCount, inWidth - RowStart); // the bias (feature inWidth) can only be the last row
        bool bias = features < RowCount;
        int i = 0;
        if (Simd.Width == KernelWidth.Vector512)
        {
            // Through refs, each sample's rows as whole vectors: a span slice per vector cost as much as the copy.
            const int lanes = 16;
            int reach = (features + lanes - 1) / lanes * lanes;
            ref float from0 = ref MemoryMarshal.GetReference(layerInput);
            ref float into0 = ref MemoryMarshal.GetReference(tileInput);
            for (; i < n && (long)i * inWidth + RowStart + reach <= layerInput.Length && (long)i * RowCount + reach <= tileInput.Length; i++)
            {
                ref float from = ref Unsafe.Add(ref from0, (nint)i * inWidth + RowStart);
                ref float into = ref Unsafe.Add(ref into0, (nint)i * RowCount);
                for (int j = 0; j < features; j += lanes) Vector512.LoadUnsafe(ref from, (nuint)j).StoreUnsafe(ref into, (nuint)j);
                if (bias) Unsafe.Add(ref into, features) = 1f;
            }
        }
        for (; i < n; i++)
        {
            layerInput.Slice(i * inWidth + RowStart, features).CopyTo(tileInput.Slice(i * RowCount, features));
            if (bias) tileInput[i * RowCount + features] = 1f;
        }
    }

    /// <summary>Adds this tile's partial sums [n × cols] into its columns of the layer output [n × outWidth].</summary>
    public void AddPartials(ReadOnlySpan<float> tileOutput, Span<float> layerOutput, int outWidth, int n)
    {
        if (ColCount == outWidth)
        {
            TensorPrimitives.Add(layerOutput[..(n * outWidth)], tileOutput[..(n * outWidth)], layerOutput[..(n * outWidth)]);
            return;
        }
        // Row by row in whole vectors where they fit, through refs (a library call per 64-wide row cost more than its adds, and a
        // span slice per vector a third of the tile's product on fashion).
        if (n == 0) return;
        if (tileOutput.Length < n * ColCount || layerOutput.Length < (n - 1) * outWidth + ColStart + ColCount)
            throw new ArgumentException($"tile {Id}: {n} × {ColCount} partial sums into rows of {outWidth} from column {ColStart}");
        const int lanes = 16;
        int whole = Simd.Width == KernelWidth.Vector512 ? ColCount / lanes * lanes : 0;
        ref float from0 = ref MemoryMarshal.GetReference(tileOutput);
        ref float into0 = ref MemoryMarshal.GetReference(layerOutput);
        for (int i = 0; i < n; i++)
        {
            ref float into = ref Unsafe.Add(ref into0, (nint)i * outWidth + ColStart);
            ref float from = ref Unsafe.Add(ref from0, (nint)i * ColCount);
            int j = 0;
            for (; j < whole; j += lanes)
                (Vector512.LoadUnsafe(ref into, (nuint)j) + Vector512.LoadUnsafe(ref from, (nuint)j)).StoreUnsafe(ref into, (nuint)j);
            for (; j < ColCount; j++) Unsafe.Add(ref into, j) += Unsafe.Add(ref from, j);
        }
    }

    /// <summary>Writes this tile's partial sums [n × cols] over its columns of the layer output [n × outWidth]: the first tile of its
    /// columns, where adding to zeros would be the same sums after a clear the caller then need not make.</summary>
    public void SetPartials(ReadOnlySpan<float> tileOutput, Span<float> layerOutput, int outWidth, int n)
    {
        if (ColCount == outWidth)
        {
            tileOutput[..(n * outWidth)].CopyTo(layerOutput);
            return;
        }
        for (int i = 0; i < n; i++) tileOutput.Slice(i * ColCount, ColCount).CopyTo(layerOutput.Slice(i * outWidth + ColStart, ColCount));
    }
}
