using System.Collections.Concurrent;

namespace MemristorGrid.Grains.Wire;

/// <summary>
/// Exact-size byte buffers for chip responses. A chip grain rents the buffers it answers in; the lane
/// hands them back once it has copied the numbers out, so a silo's chip calls stop allocating (and
/// collecting) two buffers each — the allocation was the largest grain-path cost after the MVM itself.
/// A buffer is written only by the chip that rented it, before it answers, and read only by the one
/// lane it answers: while a message holds it, nobody changes it. Remote answers arrive as new arrays
/// of the same sizes and join the pool of the lane's silo.
/// </summary>
internal static class ResponseBuffers
{
    private const int MaxPerSize = 64;
    private static readonly ConcurrentDictionary<int, ConcurrentQueue<byte[]>> Free = new();

    public static byte[] Rent(int length) =>
        length == 0 ? [] : Free.TryGetValue(length, out var queue) && queue.TryDequeue(out var buffer) ? buffer : new byte[length];

    public static void Return(byte[] buffer)
    {
        if (buffer.Length == 0) return;
        var queue = Free.GetOrAdd(buffer.Length, _ => new ConcurrentQueue<byte[]>());
        if (queue.Count < MaxPerSize) queue.Enqueue(buffer);
    }
}
