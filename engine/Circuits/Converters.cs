using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Circuits;

/// <summary>
/// The one way to build each converter and rail of a profile, in network units: tile input DACs, the
/// ADC wherever a signal is digitised (tile outputs and inputs that cross a chip, integrator inputs),
/// the controller's embedding DACs, and the saturation rails of TIAs, activations and integrators.
/// </summary>
public static class Converters
{
    public static Quantizer TileDac(HardwareProfile p) => Quantizer.For(p.Dac.Bits, p.Dac.FullScaleVolts, p.Signal.VoltsPerUnit);

    public static Quantizer Adc(HardwareProfile p) => Quantizer.For(p.Adc.Bits, p.Adc.FullScaleVolts, p.Signal.VoltsPerUnit);

    public static Quantizer EmbeddingDac(HardwareProfile p) =>
        Quantizer.For(p.Controller.EmbeddingDacBits, p.Controller.EmbeddingFullScaleVolts, p.Signal.VoltsPerUnit);

    /// <summary>A ±rail in network units; no rail (null) is +∞.</summary>
    public static float Rail(double? volts, HardwareProfile p) => volts is { } v ? (float)(v / p.Signal.VoltsPerUnit) : float.PositiveInfinity;
}
