namespace MemristorGrid.Grains;

/// <summary>The grain storage provider every MemristorGrid grain uses (memory by default, Redis when configured).</summary>
public static class Storage
{
    public const string Name = "memgrid";
}
