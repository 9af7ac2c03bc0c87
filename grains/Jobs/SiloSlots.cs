using MemristorGrid.Grains.Placement;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Jobs;

/// <summary>
/// A job's lane slots, silo by silo: a lane starts when any silo has a free slot, on the silo with the most
/// (named to <see cref="LanePlacement"/> through the request context), and gives it back when it is done.
/// Dealing lanes to silos in a fixed order instead left one silo idle whenever its lanes finished first —
/// a lane that ends early, a core slowed by another tenant, the job's tail. Used from the job's own turns
/// only (one thread at a time). Samples do not depend on where a lane runs.
/// </summary>
internal sealed class SiloSlots : IDisposable
{
    private readonly SiloAddress[] _silos;
    private readonly int[] _free;
    private readonly SemaphoreSlim _any;

    public SiloSlots((SiloAddress Silo, int Slots)[] silos)
    {
        _silos = silos.Select(s => s.Silo).ToArray();
        _free = silos.Select(s => s.Slots).ToArray();
        _any = new SemaphoreSlim(Math.Max(1, _free.Sum()));
        if (_free.Sum() == 0 && _free.Length > 0) _free[0] = 1;
    }

    public int Total => Math.Max(1, _free.Sum());

    /// <summary>Waits for a free slot and runs <paramref name="lane"/> with its silo named for placement.</summary>
    public async Task RunAsync(Func<Task> lane, CancellationToken cancel)
    {
        await _any.WaitAsync(cancel);
        int chosen = -1;
        for (int i = 0; i < _free.Length; i++)
            if (chosen < 0 || _free[i] > _free[chosen]) chosen = i;
        if (chosen >= 0) _free[chosen]--;
        try
        {
            if (chosen >= 0) RequestContext.Set(LanePlacement.HintKey, _silos[chosen].ToParsableString());
            await lane();
        }
        finally
        {
            RequestContext.Remove(LanePlacement.HintKey);
            if (chosen >= 0) _free[chosen]++;
            _any.Release();
        }
    }

    public void Dispose() => _any.Dispose();
}
