namespace MemristorGrid.Engine.Randomness;

/// <summary>
/// Names of random streams. A stream id is derived from what the numbers belong to (a purpose and
/// up to three indices), so two consumers can never collide by accident and a draw can be recomputed
/// anywhere from its name.
/// </summary>
public enum StreamPurpose : uint
{
    Dataset = 1,
    TimeFrequencies = 2,
    WeightInit = 3,
    Shuffle = 4,
    TrainingTimes = 5,
    TrainingNoise = 6,
    WeightNoise = 7,
    LabelDropout = 8,
    SamplerPrior = 9,
    SamplerNoise = 10,
    Reference = 11,
    MetricSubsample = 12,
    ProgrammingNoise = 13,
    StuckAt = 14,
    ReadNoise = 15,
    IntegratorNoise = 16,
    IntegratorOffset = 17,
    DriftExponent = 18,
    WriteVerifyPulse = 19,
    VerifyRead = 20,
    Relaxation = 21,
    WriteVerifyRedraw = 22,
    ReprogramCheckRead = 23,
    TrainingChip = 24,
    TrainingReadNoise = 25,
    CalibrationInput = 26,
    CalibrationRead = 27,
}

public static class Streams
{
    public static ulong Id(StreamPurpose purpose, ulong a = 0, ulong b = 0, ulong c = 0)
    {
        ulong h = Mix((ulong)purpose * 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ a);
        h = Mix(h ^ (b * 0xBF58476D1CE4E5B9UL));
        h = Mix(h ^ (c * 0x94D049BB133111EBUL));
        return h;
    }

    public static CounterRng Rng(ulong seed, StreamPurpose purpose, ulong a = 0, ulong b = 0, ulong c = 0) =>
        new(seed, Id(purpose, a, b, c));

    /// <summary>SplitMix64's finaliser: a bijective 64-bit mix.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
