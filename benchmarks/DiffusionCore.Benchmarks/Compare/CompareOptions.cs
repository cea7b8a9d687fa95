using System.CommandLine;
using DiffusionCore.Samples.Cli;

namespace DiffusionCore.Benchmarks.Compare;

/// <summary>
/// Options of the <c>compare</c> runner. benchmarks/python/bench_torch.py accepts the same flags with the same
/// defaults, so both sides warm up and repeat identically; <c>--quick</c> selects <see cref="Quick"/>'s smaller counts,
/// and flags given explicitly keep their values.
/// </summary>
internal sealed record CompareOptions
{
    /// <summary>The defaults.</summary>
    public static readonly CompareOptions Defaults = new();

    /// <summary>The counts of <c>--quick</c> (smoke runs).</summary>
    public static readonly CompareOptions Quick = new() { Warmup = 2_000, Inner = 2_000, Repeats = 7, ConvWarmup = 1, ConvRepeats = 3 };

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

    /// <summary>Adds the runner's options to <paramref name="command"/>; returns their reader.</summary>
    public static Func<ParseResult, CompareOptions> AddTo(Command command)
    {
        Option<bool> quick = new("--quick") { Description = "small counts for smoke runs (explicit flags still win)" };
        Option<bool> noConv = new("--no-conv") { Description = "skip the conv workload" };
        Option<int> threads = TypedOption.Positive("--threads", "libtorch intra-op threads", Defaults.Threads);
        Option<int> warmup = Counted("--warmup", "small-op calls before measuring", o => o.Warmup);
        Option<int> inner = Counted("--inner", "small-op calls per timed repeat", o => o.Inner);
        Option<int> repeats = Counted("--repeats", "timed repeats per small op (median reported)", o => o.Repeats);
        Option<int> convWarmup = Counted("--conv-warmup", "conv steps before measuring", o => o.ConvWarmup);
        Option<int> convRepeats = Counted("--conv-repeats", "timed conv steps (median reported)", o => o.ConvRepeats);
        foreach (Option option in new Option[] { threads, warmup, inner, repeats, convWarmup, convRepeats, noConv, quick }) command.Options.Add(option);
        return p => new CompareOptions
        {
            Threads = p.GetValue(threads),
            Warmup = p.GetValue(warmup),
            Inner = p.GetValue(inner),
            Repeats = p.GetValue(repeats),
            ConvWarmup = p.GetValue(convWarmup),
            ConvRepeats = p.GetValue(convRepeats),
            SkipConv = p.GetValue(noConv),
        };

        // A positive count whose default is Defaults' value, or Quick's under --quick.
        Option<int> Counted(string name, string description, Func<CompareOptions, int> value)
        {
            Option<int> option = TypedOption.Positive(name, description, value(Defaults));
            option.DefaultValueFactory = r => value(r.GetValue(quick) ? Quick : Defaults);
            return option;
        }
    }
}
