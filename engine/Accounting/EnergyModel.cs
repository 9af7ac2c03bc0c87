using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Accounting;

/// <summary>
/// The energy and latency of each circuit for a run of <see cref="Samples"/> samples, each integrated
/// for <see cref="GenerationSeconds"/> with <see cref="Passes"/> network copies (2 with guidance) and
/// <see cref="ControllerUpdates"/> DAC updates. Static circuits cost power × the time they are biased;
/// converters cost per conversion; a digitised signal is re-sampled at the ADC rate while the loop runs
/// and every conversion is sent over the link. Cell energy is not here: the lanes integrate it from the
/// actual signals. docs/hardware-model.md lists every term.
/// </summary>
public sealed class EnergyModel(HardwareProfile profile, double generationSeconds, int passes, int controllerUpdates, long samples)
{
    // What one conversion costs, from each converter's energy model (chosen by the profile).
    private readonly double _adcJoules = profile.Adc.JoulesPerConversion(), _dacJoules = profile.Dac.JoulesPerConversion(profile.Adc.SampleRateHz);

    /// <summary>Conversions of one digitised signal per sample.</summary>
    public double ConversionsPerSignal => generationSeconds * profile.Adc.SampleRateHz * passes;

    /// <summary>Bits one digitised signal sends over the run (all samples).</summary>
    public double LinkBitsPerSignal => ConversionsPerSignal * profile.Adc.BitsPerConversion * samples;

    /// <summary>ADC conversions of a tile: the inputs that arrive over a link (sent by the other chip's ADC) and its digitised outputs.</summary>
    public double TileAdcConversions(TilePlan tile) => (tile.LinkedRowCount + DigitisedOutputs(tile)) * ConversionsPerSignal * samples;

    public double TileDacConversions(TilePlan tile) => tile.DigitisedRowCount * ConversionsPerSignal * samples;

    /// <summary>How long a sample keeps the integrators and the controller biased: the reset and initial-condition load, and the generation.</summary>
    public double BiasedSecondsPerSample => generationSeconds + profile.Integrator.ResetSeconds;

    /// <summary>How long a sample keeps the network's op-amps (TIAs, activations) biased: switched on with the initial condition,
    /// they settle onto it (the loop's first settling, <paramref name="firstSettlingSeconds"/>, which the time per sample
    /// counts) and run through the generation; the reset before is the integrators' alone.</summary>
    public double NetworkBiasedSeconds(double firstSettlingSeconds) => firstSettlingSeconds + generationSeconds;

    /// <param name="firstSettlingSeconds">The loop's settling, <see cref="LoopDelay"/> of the plan.</param>
    public double Tia(TilePlan tile, double firstSettlingSeconds) =>
        tile.ColCount * profile.TiaPowerWatts * NetworkBiasedSeconds(firstSettlingSeconds) * passes * samples;

    public double TileConverters(TilePlan tile) =>
        TileAdcConversions(tile) * _adcJoules + TileDacConversions(tile) * _dacJoules;

    /// <summary>The bits of the tile's linked inputs and digitised outputs.</summary>
    public double TileLink(TilePlan tile) => (tile.LinkedRowCount + DigitisedOutputs(tile)) * LinkBitsPerSignal * profile.Interconnect.EnergyPerBitJoules;

    /// <summary>TIA settling, plus a conversion and a hop for digitised outputs and for linked inputs.</summary>
    public double TileLatency(TilePlan tile)
    {
        double hop = profile.Adc.ConversionSeconds + profile.Interconnect.LatencyPerHopSeconds;
        return profile.Tia.SettlingSeconds + (DigitisedOutputs(tile) > 0 ? hop : 0) + (tile.LinkedRowCount > 0 ? hop : 0);
    }

    /// <summary>One loop traversal: the slowest tile of each layer, the activation circuits between layers, and the hop to the integrators.</summary>
    public double LoopDelay(DeploymentPlan plan)
    {
        double delay = 0;
        for (int l = 0; l < plan.LayerCount; l++)
        {
            double layer = 0;
            foreach (int index in plan.LayerTiles[l]) layer = Math.Max(layer, TileLatency(plan.Tiles[index]));
            delay += layer + (l < plan.LayerCount - 1 ? profile.Activation.DelaySeconds : 0);
        }
        if (plan.IntegratorDigitisedInputs.Any(d => d)) delay += profile.Adc.ConversionSeconds + profile.Interconnect.LatencyPerHopSeconds;
        return delay;
    }

    /// <summary>Reset and initial-condition load, the loop's first settling, the integration, and the readout conversion.</summary>
    public double TimePerSample(DeploymentPlan plan) => profile.Integrator.ResetSeconds + LoopDelay(plan) + generationSeconds + profile.Adc.ConversionSeconds;

    /// <summary>A link carrying <paramref name="signals"/> digitised signals: its bits and the sending ADCs.</summary>
    public double LinkEnergy(int signals) =>
        signals * (LinkBitsPerSignal * profile.Interconnect.EnergyPerBitJoules + ConversionsPerSignal * samples * _adcJoules);

    /// <summary>Scores that reach their integrator over a link: the sending ADCs and the bits.</summary>
    public double IntegratorLinks(int crossings) => crossings * (ConversionsPerSignal * samples * _adcJoules
        + LinkBitsPerSignal * profile.Interconnect.EnergyPerBitJoules);

    public double ActivationCircuits(int hiddenLayers, int width, double firstSettlingSeconds) =>
        hiddenLayers * width * profile.ActivationPowerWatts * NetworkBiasedSeconds(firstSettlingSeconds) * passes * samples;

    public double EmbeddingDacs(int width) => (double)width * controllerUpdates * profile.Controller.DacEnergyPerUpdateJoules * samples;

    /// <summary>The drift and score-gain DACs.</summary>
    public double CoefficientDacs() => 2.0 * controllerUpdates * profile.Controller.DacEnergyPerUpdateJoules * samples;

    public double NoiseDacs(int dim, SamplerKind kind) => kind == SamplerKind.Sde ? (double)dim * controllerUpdates * profile.Controller.DacEnergyPerUpdateJoules * samples : 0;

    /// <summary>The integrators are biased through the reset and initial-condition load as well as the generation.</summary>
    public double Integrators(int dim) => dim * profile.IntegratorPowerWatts * BiasedSecondsPerSample * samples;

    /// <summary>The controller's static power while the sample runs, and its table reads: per update, every embedding
    /// channel of every pass, the two coefficients and, for the SDE, one noise value per channel.</summary>
    public double Controller(int width, int dim, SamplerKind kind) =>
        profile.Controller.StaticPowerWatts * BiasedSecondsPerSample * samples
        + (double)controllerUpdates * (width * passes + 2 + (kind == SamplerKind.Sde ? dim : 0)) * profile.Controller.LutReadEnergyJoules * samples;

    /// <summary>Loading each sample's initial condition: one DAC update per integrator channel.</summary>
    public double InitialConditionDacs(int dim) => (double)dim * profile.Controller.DacEnergyPerUpdateJoules * samples;

    public double ReadoutAdc(int dim) => (double)dim * _adcJoules * samples;

    private static int DigitisedOutputs(TilePlan tile) => tile.DigitisedOutputs ? tile.ColCount : 0;
}
