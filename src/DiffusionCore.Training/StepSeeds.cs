namespace DiffusionCore.Training;

/// <summary>The random streams of a training step (the values are part of the seed scheme: never renumber them).</summary>
internal enum StepStream : ulong
{
    Noise = 1,
    Dropout = 2,
    DataOrder = 3,
    Mask = 4,
    Sigma = 5,
    ConditionDropout = 6,
    Augmentation = 7,
    ControlDropout = 8,
}

/// <summary>
/// Seeds derived from (run seed, position, stream) by SplitMix64 mixing, so every draw of a step is a pure function of
/// the run seed and the images seen: a resumed run draws exactly what an uninterrupted one would.
/// </summary>
internal static class StepSeeds
{
    public static ulong Derive(long seed, long position, StepStream stream)
    {
        ulong h = Mix((ulong)seed ^ 0x5DEECE66DUL);
        h = Mix(h ^ (ulong)position);
        return Mix(h ^ (ulong)stream);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
