using System.Text.Json.Serialization;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Engine.Experiments;

/// <summary><c>compare.json</c>: the digital baseline against the analog machine on one model and seed.</summary>
public sealed record CompareReport
{
    public string Kind { get; init; } = "compare";
    public required string Model { get; init; }
    public required string Profile { get; init; }
    public required int Samples { get; init; }
    public required ulong Seed { get; init; }
    public required DigitalSide Digital { get; init; }
    public required AnalogSide Analog { get; init; }

    /// <summary>Digital / analog time per sample, one sample at a time on each side (the headline) and batched.</summary>
    public required double Speedup { get; init; }
    public required double SpeedupThroughput { get; init; }

    /// <summary>Digital / analog energy per sample, one at a time (the headline) and batched.</summary>
    public required double EnergyRatio { get; init; }
    public required double EnergyRatioBatched { get; init; }
    public required IReadOnlyList<string> Assumptions { get; init; }
    public Provenance? Provenance { get; init; }

    /// <summary>The digital column's heading in tables.</summary>
    [JsonIgnore] public string DigitalColumn => Digital.EnergySource == "rapl" ? "digital (this machine, RAPL)" : $"digital ({Digital.Platform?.Name})";
}

/// <summary>The digital baseline's figures: quality, CPU time batched and one at a time, energy and where it comes from.</summary>
public sealed record DigitalSide
{
    public required int Steps { get; init; }
    public required double? KlPaper { get; init; }
    public required double? ClassAccuracy { get; init; }
    public required double? DecodedClassAccuracy { get; init; }
    public required double? DecodedFrechetDistance { get; init; }
    public required double WallSeconds { get; init; }
    public required double CpuSeconds { get; init; }
    public required string CpuClock { get; init; }
    public required double TimePerSampleSeconds { get; init; }
    public required double WallPerSampleSeconds { get; init; }
    public required double LatencySeconds { get; init; }
    public required double LatencyWallSeconds { get; init; }
    public required int LatencySamples { get; init; }
    public required double FlopsPerSample { get; init; }
    public required double EnergyPerSampleJoules { get; init; }
    public required double EnergyPerSampleBatchedJoules { get; init; }

    /// <summary>rapl (the package energy counter) or platform (time × a named platform's power).</summary>
    public required string EnergySource { get; init; }
    public required PlatformEntry? Platform { get; init; }
}

/// <summary>The digital platform the energy is charged to, with its source.</summary>
public sealed record PlatformEntry(string Name, string Description, double Watts, double? PeakFlops, double? Utilisation, string Source);

/// <summary>The analog machine's figures in a comparison (its full report is <c>analog/report.json</c>).</summary>
public sealed record AnalogSide
{
    public required double? KlPaper { get; init; }
    public required double? ClassAccuracy { get; init; }
    public required double? DecodedClassAccuracy { get; init; }
    public required double? DecodedFrechetDistance { get; init; }
    public required double TimePerSampleSeconds { get; init; }
    public required double EnergyPerSampleJoules { get; init; }
    public required double SimulatorWallSeconds { get; init; }
    public required string Simulator { get; init; }
}
