using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace MemristorGrid.Hosting.Web;

/// <summary>
/// Whether this silo takes work: Active in the cluster's membership (it has joined), not before, not while
/// it shuts down, and not once its row has vanished from the membership table (<see cref="MembershipWatchdog"/>).
/// </summary>
public static class Readiness
{
    public static bool IsReady(IServiceProvider services)
    {
        var membership = services.GetService<IClusterMembershipService>();
        var local = services.GetService<ILocalSiloDetails>();
        if (membership is null || local is null || services.GetService<MembershipWatchdog>() is { MembershipLost: true }) return false;
        return membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress) == SiloStatus.Active;
    }
}
