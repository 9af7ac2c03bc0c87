namespace MemristorGrid.Engine.Profiles;

/// <summary>What kind of evidence a figure rests on, strongest first.</summary>
public enum FigureKind
{
    /// <summary>Measured on a fabricated chip.</summary>
    Silicon,
    /// <summary>A circuit simulation of one design.</summary>
    Simulation,
    /// <summary>A published tool's or library's model (CACTI, CiMLoop/Accelergy components), possibly scaled to the node.</summary>
    Model,
    /// <summary>Worked out from physics and other figures (the profile's comment shows the arithmetic).</summary>
    Derived,
    /// <summary>The authors' own published or firmware value (PAPER.md).</summary>
    Paper,
    /// <summary>Chosen; no source.</summary>
    Assumption,
}

/// <summary>
/// One parameter the energy depends on, as evidence: the profile holds its value; this holds the band a designer should
/// expect (<see cref="Low"/> ≤ value ≤ <see cref="High"/>, in the parameter's own unit), the node the figure is for, what
/// kind of evidence it is, and where it comes from. <c>energy_figures</c> in a profile maps each parameter's key
/// (<c>adc.energy_per_conversion_joules</c>) to one of these.
/// </summary>
public sealed record EnergyFigure
{
    public required double Low { get; init; }
    public required double High { get; init; }
    public string Node { get; init; } = "";
    public required FigureKind Kind { get; init; }
    public required string Source { get; init; }

    /// <summary>Whether the figure rests on evidence (anything but an assumption).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsSourced => Kind != FigureKind.Assumption;
}
