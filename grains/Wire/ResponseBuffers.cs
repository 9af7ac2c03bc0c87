using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MemristorGrid.Grains.Wire;

/// <summary>
/// Byte buffers for chip responses, pooled by size class (powers of two): a chip grain rents the buffers
/// it answers in and sends slices of them; the lane hands them back once it has copied the numbers out,
/// so a silo's chip calls stop allocating (and collecting) two buffers each — the allocation was the
/// largest grain-path cost after the MVM itself, and exact-size pooling missed whenever a stage
/// evaluated fewer samples than the last. A buffer is written only by the chip that rented it, before
/// it answers, and read only by the one lane it answers: while a message holds it, nobody changes it.
/// Only buffers this pool handed out come back to it: a remote answer's bytes belong to the
/// deserialiser, which may hand out views of its own buffers (a chip answering another silo's lane
/// therefore rents anew each time; that placement studies the interconnect, not throughput).
/// </summary>
internal static class ResponseBuffers
{
    private const int MaxPerClass = 64;

    // Last in, first out: the buffer handed back last is the one still in cache. (A queue cycled through every buffer of the
    // class, so each call wrote and read a cold one: measured, a 500-sample tile call cost 40 µs more than the tile.)
    private static readonly Stack<byte[]>[] Free = Enumerable.Range(0, 32).Select(_ => new Stack<byte[]>(MaxPerClass)).ToArray();

    private static readonly ConditionalWeakTable<byte[], object> Owned = new();

    /// <summary>A buffer of at least <paramref name="length"/> bytes (the next power of two).</summary>
    public static byte[] Rent(int length)
    {
        if (length == 0) return [];
        int sizeClass = BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)length));
        var free = Free[sizeClass];
        lock (free)
        {
            if (free.TryPop(out var reused)) return reused;
        }
        var buffer = new byte[1 << sizeClass];
        Owned.Add(buffer, Owned); // any non-null value: the table is a set
        return buffer;
    }

    /// <summary>Hands back the array behind <paramref name="slice"/> (if it is one).</summary>
    public static void Return(ReadOnlyMemory<byte> slice)
    {
        if (!MemoryMarshal.TryGetArray(slice, out var segment) || segment.Array is not { Length: > 0 } buffer || !Owned.TryGetValue(buffer, out _)) return;
        var free = Free[BitOperations.Log2((uint)buffer.Length)]; // every array in class c holds at least 2^c bytes
        lock (free)
        {
            if (free.Count < MaxPerClass) free.Push(buffer);
        }
    }
}
