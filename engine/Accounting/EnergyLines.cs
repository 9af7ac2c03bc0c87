using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Accounting;

/// <summary>One parameter an energy line rests on: its value and, when the profile's <c>energy_figures</c> has it, its
/// band, node, kind of evidence and source (else it is an assumption with no band).</summary>
/// <param name="Note">Set when an end of the band lies outside what this profile allows (its timing rule): that end is left out of the line's band.</param>
public sealed record EnergyParameterEntry(string Key, double Value, double? Low, double? High, string Node, string Kind, string Source, string? Note = null);

/// <summary>
/// One energy component per sample with its band: the lowest and highest it takes when every parameter it rests on
/// moves across its band (each component is a product of powers of its parameters, so the band is the product of each
/// parameter's own swing), and its basis — the weakest evidence among its parameters (silicon, simulation, model, derived,
/// paper), or <c>assumption</c> when any of them is one.
/// </summary>
public sealed record EnergyLine(string Component, double JoulesPerSample, double LowJoulesPerSample, double HighJoulesPerSample, string Basis,
    IReadOnlyList<EnergyParameterEntry> Parameters)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsSourced => Basis != Kebab(FigureKind.Assumption);

    internal static string Kebab(FigureKind kind) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());
}

public static class EnergyLines
{
    /// <summary>The lines of a finished run: <paramref name="result"/>'s breakdown re-evaluated with each figure at either end of its band.
    /// With a derived loop (<paramref name="design"/>), each end is re-designed: its RC and settling times follow from it.</summary>
    public static IReadOnlyList<EnergyLine> Of(HardwareProfile profile, DeploymentPlan plan, AnalogRunOptions options, AnalogRunResult result, LoopDesign? design = null)
    {
        long n = Math.Max(1, result.SampleCount);
        int passes = options.IsGuided ? 2 : 1;
        EnergyBreakdown Under(HardwareProfile p)
        {
            if (design is not null) p = LoopDesigner.Apply(p, plan, options, result.Dim, design.Gain, design.TiaNoiseGain).Profile;
            // The cells' energy is the run's, integrated from its signals: at another RC the same signals last that much longer.
            double stretch = p.Integrator.TimeConstantSeconds / profile.Integrator.TimeConstantSeconds;
            return HardwareAccounting.Breakdown(new EnergyModel(p, result.GenerationSeconds * stretch, passes, result.ControllerUpdates, result.SampleCount),
                plan, options, result.Dim, result.Energy.CrossbarCells * stretch);
        }
        // Each end of each band as a profile of its own; an end the profile would refuse (a settling time its RC cannot
        // carry) is left out, and the line says so.
        var notes = new Dictionary<string, string>();
        Dictionary<string, double>? End(string key, double value)
        {
            try { return Under(profile.With(key, EnergyParameters.Text(value))).Components.ToDictionary(c => c.Key, c => c.Joules); }
            catch (UserInputException e)
            {
                notes[key] = $"the band's end {EnergyParameters.Text(value)} is outside what this profile allows and is left out ({e.Message})";
                return null;
            }
        }
        var lows = profile.EnergyFigures.ToDictionary(f => f.Key, f => End(f.Key, f.Value.Low));
        var highs = profile.EnergyFigures.ToDictionary(f => f.Key, f => End(f.Key, f.Value.High));

        var values = EnergyParameters.Values(profile);
        var lines = new List<EnergyLine>();
        foreach (var (component, joules) in result.Energy.Components)
        {
            var keys = EnergyParameters.Of(component, profile);
            double low = 1, high = 1;
            var parameters = new List<EnergyParameterEntry>();
            var kinds = new List<FigureKind>();
            foreach (var key in keys)
            {
                double value = values[key];
                if (profile.EnergyFigures.TryGetValue(key, out var figure))
                {
                    kinds.Add(figure.Kind);
                    parameters.Add(new EnergyParameterEntry(key, value, figure.Low, figure.High, figure.Node, EnergyLine.Kebab(figure.Kind), figure.Source, notes.GetValueOrDefault(key)));
                    if (joules > 0)
                    {
                        double a = lows[key] is { } lo ? lo[component] / joules : 1, b = highs[key] is { } hi ? hi[component] / joules : 1;
                        low *= Math.Min(1, Math.Min(a, b));
                        high *= Math.Max(1, Math.Max(a, b));
                    }
                }
                else
                {
                    kinds.Add(FigureKind.Assumption);
                    parameters.Add(new EnergyParameterEntry(key, value, null, null, "", EnergyLine.Kebab(FigureKind.Assumption), "not in the profile's energy_figures"));
                }
            }
            string basis = EnergyLine.Kebab(kinds.Count == 0 ? FigureKind.Assumption : kinds.Max());
            lines.Add(new EnergyLine(component, joules / n, joules * low / n, joules * high / n, basis, parameters));
        }
        return lines;
    }
}
