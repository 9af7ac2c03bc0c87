using MemristorGrid.Grains.Placement;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Jobs;

/// <summary>
/// A job's lane slots, silo by silo: a lane starts when any silo has a free place, on the silo with the most
/// (named to <see cref="LanePlacement"/> through the request context), and gives it back when it is done.
/// Each silo's places are its lane slots. Dealing lanes to silos in a fixed order instead left
/// one silo idle whenever its lanes finished first (a lane that ends early, a core slowed by another
/// tenant, the job's tail). The silos are asked again every few seconds (in the background), so a silo
/// that joins takes lanes and one that left gets none. Used from the job's own turns only (one thread at a time).
/// Samples do not depend on where a lane runs.
/// </summary>
internal sealed class SiloSlots(Func<Task<(SiloAddress Silo, int Slots)[]>> silos)
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    private readonly Dictionary<SiloAddress, (int Places, int Busy)> _silos = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTime _asked = DateTime.MinValue;
    private Task? _asking;

    /// <summary>The lanes the cluster runs at once (as last asked).</summary>
    public int Total { get; private set; } = 1;

    /// <summary>The job's slots, the silos asked once before any lane starts.</summary>
    public static async Task<SiloSlots> StartAsync(Func<Task<(SiloAddress Silo, int Slots)[]>> silos)
    {
        var slots = new SiloSlots(silos);
        await slots.AskAsync();
        return slots;
    }

    /// <summary>Waits for a question to the silos still in flight: the job must not leave one running past its
    /// activation (its answer would come back to a deactivated grain).</summary>
    public async Task SettleAsync()
    {
        if (_asking is { } asking) await asking.ContinueWith(_ => { }, TaskScheduler.Current);
    }

    /// <summary>Waits for a free place and runs <paramref name="lane"/> with its silo named for placement.</summary>
    public async Task RunAsync(Func<Task> lane, CancellationToken cancel)
    {
        SiloAddress? chosen;
        while (true)
        {
            // Asked in the background: a silo that has died but is still listed answers only when its call
            // times out, and lanes must not wait for that.
            if (DateTime.UtcNow - _asked > Refresh && _asking is null or { IsCompleted: true } && !cancel.IsCancellationRequested) _asking = AskAsync();
            chosen = MostFree();
            if (chosen is not null) break;
            await _changed.Task.WaitAsync(Refresh, cancel).ContinueWith(_ => { }, TaskScheduler.Current);
            cancel.ThrowIfCancellationRequested();
        }
        var (places, busy) = _silos[chosen];
        _silos[chosen] = (places, busy + 1);
        try
        {
            RequestContext.Set(LanePlacement.HintKey, chosen.ToParsableString());
            await lane();
        }
        finally
        {
            RequestContext.Remove(LanePlacement.HintKey);
            if (_silos.TryGetValue(chosen, out var now)) _silos[chosen] = (now.Places, now.Busy - 1);
            Changed();
        }
    }

    private SiloAddress? MostFree()
    {
        SiloAddress? best = null;
        int bestFree = 0;
        foreach (var (silo, (places, busy)) in _silos.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal))
            if (places - busy > bestFree) (best, bestFree) = (silo, places - busy);
        return best;
    }

    private async Task AskAsync()
    {
        _asked = DateTime.UtcNow;
        (SiloAddress Silo, int Slots)[] now;
        try { now = await silos(); }
        catch (Exception) when (_silos.Count > 0) { return; } // keep what was known; asked again later
        foreach (var gone in _silos.Keys.Except(now.Select(s => s.Silo)).ToList()) _silos.Remove(gone);
        foreach (var (silo, slots) in now)
        {
            int places = slots;
            _silos[silo] = _silos.TryGetValue(silo, out var known) ? (places, known.Busy) : (places, 0);
        }
        Total = Math.Max(1, now.Sum(s => s.Slots));
        // A run with no silo answering still runs its lanes one at a time wherever placement puts them.
        if (_silos.Count == 0 || _silos.Values.All(s => s.Places == 0)) _silos[SiloAddress.Zero] = (1, _silos.GetValueOrDefault(SiloAddress.Zero).Busy);
        Changed();
    }

    /// <summary>Wakes every lane waiting for a place (each looks again; those that find none wait for the next change).</summary>
    private void Changed()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
