using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// <c>--edm2-step [steps] [warmup]</c>: runs <see cref="Edm2UNetWorkload"/> for a number of steps and prints the
/// median and mean ms/step and the process's peak resident set size (VmHWM from /proc/self/status), which
/// BenchmarkDotNet cannot report.
/// </summary>
internal static class Edm2StepRunner
{
    public static int Run(IReadOnlyList<string> args)
    {
        int steps = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        int warmup = args.Count > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        int threads = BenchEnvironment.Apply();
        using var work = new Edm2UNetWorkload();
        for (int i = 0; i < warmup; i++) work.Step();

        var times = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            work.Step();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        double median = times.Length % 2 == 1 ? times[times.Length / 2] : (times[(times.Length / 2) - 1] + times[times.Length / 2]) / 2;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"edm2_unet_fwd_bwd 32x32x3 batch {Edm2UNetWorkload.Batch} ch 64 mult [1,2,2] blocks 2 attn 16: {work.ParameterCount} parameters, " +
            $"threads {threads}, libtorch {TorchLib.Version}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"steps {steps} (warm-up {warmup}): median {median:F1} ms/step, mean {times.Average():F1} ms/step, min {times[0]:F1}, max {times[^1]:F1}"));
        Console.WriteLine($"peak RSS (VmHWM): {PeakRss()}");
        return 0;
    }

    private static string PeakRss()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return "unavailable (no /proc/self/status)";
        string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? "unavailable" : line["VmHWM:".Length..].Trim();
    }
}
