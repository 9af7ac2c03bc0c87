using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;

namespace MemristorGrid.Grains.Wire;

/// <summary>
/// Byte buffers for chip responses, pooled by size class (powers of two): a chip grain rents the buffers
/// it answers in and sends slices of them; the lane hands them back once it has copied the numbers out,
/// so a silo's chip calls stop allocating (and collecting) two buffers each — the allocation was the
/// largest grain-path cost after the MVM itself, and exact-size pooling missed whenever a stage
/// evaluated fewer samples than the last. A buffer is written only by the chip that rented it, before
/// it answers, and read only by the one lane it answers: while a message holds it, nobody changes it.
/// Remote answers arrive as new arrays and join the pool of the lane's silo.
/// </summary>
internal static class ResponseBuffers
{
    private const int MaxPerClass = 64;
    private static readonly ConcurrentQueue<byte[]>[] Free = Enumerable.Range(0, 32).Select(_ => new ConcurrentQueue<byte[]>()).ToArray();

    /// <summary>A buffer of at least <paramref name="length"/> bytes (the next power of two).</summary>
    public static byte[] Rent(int length)
    {
        if (length == 0) return [];
        int sizeClass = BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)length));
        return Free[sizeClass].TryDequeue(out var buffer) ? buffer : new byte[1 << sizeClass];
    }

    /// <summary>Hands back the array behind <paramref name="slice"/> (if it is one).</summary>
    public static void Return(ReadOnlyMemory<byte> slice)
    {
        if (!MemoryMarshal.TryGetArray(slice, out var segment) || segment.Array is not { Length: > 0 } buffer) return;
        var queue = Free[BitOperations.Log2((uint)buffer.Length)]; // every array in class c holds at least 2^c bytes
        if (queue.Count < MaxPerClass) queue.Enqueue(buffer);
    }
}
