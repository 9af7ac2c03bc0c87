using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Placement;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace MemristorGrid.Grains;

public static class GrainRegistration
{
    /// <summary>What every silo needs whatever its clustering (also used by test clusters): chip, lane and
    /// silo placement, trace propagation (when traces are recorded), the per-silo deployment cache, the silo's lane slots, and
    /// grain state in Orleans' binary format.</summary>
    /// <param name="laneSlots">Lanes this silo runs at once; null = twice its cores.</param>
    /// <param name="jobLifetime">How long a job runs on without a client; null = <see cref="Jobs.JobLifetime.Default"/>.</param>
    /// <param name="propagateTraces">Whether grain calls carry the caller's trace context; null = when something already listens
    /// to MemristorGrid's spans in this process. Orleans' propagation is a call filter on every grain call, 1.5–2 µs of a tile
    /// call's ~7 (bench calls), and with nobody recording spans it carries nothing.</param>
    public static ISiloBuilder AddMemristorGridGrains(this ISiloBuilder silo, int? laneSlots = null, Jobs.JobLifetime? jobLifetime = null,
        bool? propagateTraces = null)
    {
        silo.AddPlacementDirector<ChipPlacement, ChipPlacementDirector>();
        silo.AddPlacementDirector<SiloPlacement, SiloPlacementDirector>();
        silo.AddPlacementDirector<LanePlacement, LanePlacementDirector>();
        if (propagateTraces ?? Telemetry.Instruments.Source.HasListeners()) silo.AddActivityPropagation();
        silo.Services.AddSingleton<DeploymentCache>();
        silo.Services.AddSingleton(laneSlots is { } n ? new SiloCapacity(n) : SiloCapacity.Default);
        silo.Services.AddSingleton<SiloLaneSlots>();
        silo.Services.AddSingleton(jobLifetime ?? Jobs.JobLifetime.Default);
        silo.Services.AddSingleton(sp => new Telemetry.JobBoard(TimeProvider.System));
        // The store (memory or Redis) keeps state in Orleans' binary format, not the default JSON: a lane
        // checkpoints after every window, and Newtonsoft's base64 text of its buffers was ~48 MB of strings,
        // char[] and StringBuilder per 2 000-sample gmm16 job on the embedded silo (144 → 108 MB allocated per job).
        // State a previous version wrote in JSON is still read (the silo-wide default serializer as fallback).
        silo.Services.AddKeyedSingleton<IGrainStorageSerializer>(Storage.Name, (services, _) => new GrainStorageSerializer(
            new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()), services.GetRequiredService<IGrainStorageSerializer>()));
        return silo;
    }
}
