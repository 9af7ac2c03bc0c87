using System.Text.Json.Serialization;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Engine.Experiments;

/// <summary><c>compare.json</c>: the digital baseline against the analog machine on one model and seed.</summary>
/// <param name="Speedup">Digital / analog time per sample, one sample at a time on each side (the headline); <paramref name="SpeedupThroughput"/> batched.</param>
/// <param name="EnergyRatio">Digital / analog energy per sample, one at a time (the headline); <paramref name="EnergyRatioBatched"/> batched.</param>
public sealed record CompareReport(string Model, string Profile, int Samples, ulong Seed, DigitalSide Digital, AnalogSide Analog,
    double Speedup, double SpeedupThroughput, double EnergyRatio, double EnergyRatioBatched, IReadOnlyList<string> Assumptions, Provenance? Provenance)
{
    [JsonPropertyOrder(-1)] public string Kind { get; init; } = "compare";

    /// <summary>The digital column's heading in tables.</summary>
    [JsonIgnore] public string DigitalColumn => Digital.EnergySource == "rapl" ? "digital (this machine, RAPL)" : $"digital ({Digital.Platform?.Name})";
}

/// <summary>The digital baseline's figures: quality, CPU time batched (<paramref name="TimePerSampleSeconds"/>) and one at a time
/// (<paramref name="LatencySeconds"/>), energy, and where the energy comes from: <paramref name="EnergySource"/> is rapl (the
/// package energy counter) or platform (time × <paramref name="Platform"/>'s power).</summary>
public sealed record DigitalSide(int Steps, double? KlPaper, double? ClassAccuracy, double? DecodedClassAccuracy, double? DecodedFrechetDistance,
    double WallSeconds, double CpuSeconds, string CpuClock, double TimePerSampleSeconds, double WallPerSampleSeconds,
    double LatencySeconds, double LatencyWallSeconds, int LatencySamples, double FlopsPerSample,
    double EnergyPerSampleJoules, double EnergyPerSampleBatchedJoules, string EnergySource, PlatformEntry? Platform);

/// <summary>The digital platform the energy is charged to, with its source.</summary>
public sealed record PlatformEntry(string Name, string Description, double Watts, double? PeakFlops, double? Utilisation, string Source);

/// <summary>The analog machine's figures in a comparison (its full report is <c>analog/report.json</c>).</summary>
public sealed record AnalogSide(double? KlPaper, double? ClassAccuracy, double? DecodedClassAccuracy, double? DecodedFrechetDistance,
    double TimePerSampleSeconds, double EnergyPerSampleJoules, double SimulatorWallSeconds, string Simulator);
