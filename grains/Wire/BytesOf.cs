using System.Buffers;
using System.Runtime.InteropServices;

namespace MemristorGrid.Grains.Wire;

/// <summary>
/// A float array's slice seen as bytes, without copying: the lane's activations go into a chip request as
/// they are. A local call shares them (requests are immutable and the lane awaits the call before it
/// writes them again); a remote call serialises the slice's bytes.
/// </summary>
internal sealed class BytesOf<T> : MemoryManager<byte> where T : unmanaged
{
    private T[] _array = [];

    /// <summary>Points this view at <paramref name="values"/> (an array slice) and returns its bytes.</summary>
    public ReadOnlyMemory<byte> Of(ReadOnlyMemory<T> values)
    {
        if (!MemoryMarshal.TryGetArray(values, out var segment) || segment.Array is null)
            throw new ArgumentException("only array-backed memory can be viewed as bytes", nameof(values));
        _array = segment.Array;
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        return Memory.Slice(segment.Offset * size, segment.Count * size);
    }

    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(_array.AsSpan());

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var pin = GCHandle.Alloc(_array, GCHandleType.Pinned); // freed when the handle is disposed
        unsafe { return new MemoryHandle((byte*)pin.AddrOfPinnedObject() + elementIndex, pin, this); }
    }

    public override void Unpin() { }

    protected override void Dispose(bool disposing) { }
}
