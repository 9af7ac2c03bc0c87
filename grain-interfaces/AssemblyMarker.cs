namespace MemristorGrid.GrainInterfaces;

/// <summary>
/// Grain contracts (interfaces and [GenerateSerializer] message records) live in this assembly so
/// clients and silos share one wire format. The grain system arrives with the actor-system issue.
/// </summary>
public static class GrainInterfacesAssembly;
