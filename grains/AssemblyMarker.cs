namespace MemristorGrid.Grains;

/// <summary>Grain implementations: thin shells around engine objects (see DESIGN §5).</summary>
public static class GrainsAssembly;
