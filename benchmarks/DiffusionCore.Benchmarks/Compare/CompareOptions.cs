using System.Globalization;

namespace DiffusionCore.Benchmarks.Compare;

/// <summary>
/// Options of the <c>--compare</c> runner. benchmarks/python/bench_torch.py accepts the same flags with the same
/// defaults, so both sides warm up and repeat identically.
/// </summary>
internal sealed record CompareOptions
{
    public int Threads { get; init; } = BenchEnvironment.DefaultThreads;

    /// <summary>Small-op calls before measuring.</summary>
    public int Warmup { get; init; } = 20_000;

    /// <summary>Small-op calls timed together in one repeat (µs/op = repeat time / inner).</summary>
    public int Inner { get; init; } = 20_000;

    /// <summary>Timed repeats per small op; the median is reported.</summary>
    public int Repeats { get; init; } = 21;

    /// <summary>Conv steps before measuring.</summary>
    public int ConvWarmup { get; init; } = 3;

    /// <summary>Timed conv steps (one step per repeat); the median is reported.</summary>
    public int ConvRepeats { get; init; } = 11;

    public bool SkipConv { get; init; }

    public const string Usage =
        "--compare [--threads N] [--warmup N] [--inner N] [--repeats N] [--conv-warmup N] [--conv-repeats N] [--no-conv] [--quick]";

    /// <summary>Parses the flags; <c>--quick</c> selects small counts for smoke runs and may be overridden by later flags.</summary>
    public static CompareOptions Parse(IReadOnlyList<string> args)
    {
        var o = new CompareOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            switch (flag)
            {
                case "--quick":
                    o = o with { Warmup = 2_000, Inner = 2_000, Repeats = 7, ConvWarmup = 1, ConvRepeats = 3 };
                    break;
                case "--no-conv":
                    o = o with { SkipConv = true };
                    break;
                case "--threads":
                    o = o with { Threads = Positive(args, ref i) };
                    break;
                case "--warmup":
                    o = o with { Warmup = Positive(args, ref i) };
                    break;
                case "--inner":
                    o = o with { Inner = Positive(args, ref i) };
                    break;
                case "--repeats":
                    o = o with { Repeats = Positive(args, ref i) };
                    break;
                case "--conv-warmup":
                    o = o with { ConvWarmup = Positive(args, ref i) };
                    break;
                case "--conv-repeats":
                    o = o with { ConvRepeats = Positive(args, ref i) };
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{flag}'. Usage: {Usage}");
            }
        }

        return o;
    }

    private static int Positive(IReadOnlyList<string> args, ref int i)
    {
        string flag = args[i];
        if (++i >= args.Count
            || !int.TryParse(args[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            || n < 1)
        {
            throw new ArgumentException($"{flag} needs a positive integer. Usage: {Usage}");
        }

        return n;
    }
}
