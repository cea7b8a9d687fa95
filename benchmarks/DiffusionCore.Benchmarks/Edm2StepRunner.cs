using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// <c>edm2-step [steps] [warmup] [--net bench|main] [--precision fp32|bf16|autocast] [--versus fp32|bf16|autocast] [--channels-last] [--profile] [--ops [top]] [--rss-every N]</c>:
/// runs <see cref="Edm2UNetWorkload"/> for a number of steps and prints the median and mean ms/step and the process's
/// peak resident set size (VmHWM from /proc/self/status), which BenchmarkDotNet cannot report. <c>--profile</c> splits
/// every step into time inside native shim calls (libtorch) and the rest (managed code + interop), see
/// <see cref="NativeProfile"/>; <c>--ops [top]</c> then runs three more steps under an <see cref="OpProfiler"/> and prints
/// the top operators per step, by name and by input shape; <c>--rss-every N</c> prints the current and peak RSS every N steps (leak check);
/// <c>--versus P</c> builds the same network, inputs and seed a second time in precision P and alternates the two
/// precisions' steps in one process (<see cref="AlternatingRuns"/>).
/// </summary>
internal static class Edm2StepRunner
{
    public static Command CreateCommand()
    {
        var command = new Command("edm2-step", "EDM2 UNet training steps (forward + backward): ms/step and peak RSS");
        command.Aliases.Add("--edm2-step");
        Argument<int> steps = TypedOption.NumberArgument("steps", "timed steps (pairs with --versus)", 10, n => n > 0, "must be positive");
        Argument<int> warmup = TypedOption.NumberArgument("warmup", "untimed steps first", 2, n => n >= 0, "must be >= 0");
        Option<BenchNetwork> net = ChoiceOption.Choice("--net", "the benchmark configuration or the main job's network", BenchNetwork.Bench);
        Option<StepPrecision> precision = ChoiceOption.Choice("--precision", "float32, bfloat16 products, or libtorch autocast", StepPrecision.Float32, StepPrecisionExtensions.Names);
        Option<StepPrecision?> versus = ChoiceOption.OptionalChoice("--versus", "alternate with the same steps in this precision, in one process", StepPrecisionExtensions.Names);
        Option<bool> channelsLast = new("--channels-last") { Description = "input in channels-last (NHWC) memory format" };
        Option<bool> profile = new("--profile") { Description = "split every step into native (libtorch) and managed + interop time" };
        Option<int> ops = OperatorTable.CreateOption("three more steps");
        Option<int> rssEvery = TypedOption.Number("--rss-every", "print the current and peak RSS every N steps (0: never)", 0, n => n >= 0, "must be >= 0");
        command.Arguments.Add(steps);
        command.Arguments.Add(warmup);
        foreach (Option option in new Option[] { net, precision, versus, channelsLast, profile, ops, rssEvery }) command.Options.Add(option);
        command.SetAction(p =>
        {
            bool mainJob = p.GetValue(net) == BenchNetwork.Main;
            if (p.GetValue(versus) is not StepPrecision other)
            {
                return Run(mainJob, p.GetValue(precision), p.GetValue(channelsLast), p.GetValue(steps), p.GetValue(warmup), p.GetValue(profile), p.GetValue(ops), p.GetValue(rssEvery));
            }

            if (p.GetValue(profile) || p.GetValue(channelsLast) || p.GetValue(ops) > 0 || p.GetValue(rssEvery) > 0)
            {
                Console.Error.WriteLine("--versus takes no --profile, --channels-last, --ops or --rss-every: run those per precision.");
                return CommandLineApp.UsageErrorExitCode;
            }

            return RunAlternating(mainJob, p.GetValue(precision), other, p.GetValue(steps), p.GetValue(warmup));
        });
        return command;
    }

    private static int Run(bool mainJob, StepPrecision precision, bool channelsLast, int steps, int warmup, bool profile, int opsTop, int rssEvery)
    {
        int threads = BenchEnvironment.Apply();
        using var work = new Edm2UNetWorkload(mainJob, precision, channelsLast);
        for (int i = 0; i < warmup; i++) work.Step();

        var times = new double[steps];
        var native = new double[steps];
        long calls = 0;
        NativeProfile.Enabled = profile;
        NativeProfile.Read(reset: true);
        for (int i = 0; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            work.Step();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            NativeTimeSample s = NativeProfile.Read(reset: true);
            native[i] = s.NativeNanoseconds / 1e6;
            calls += s.Calls;
            if (rssEvery > 0 && (i + 1) % rssEvery == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {i + 1}: {times[i]:F1} ms, RSS {ProcStatus.Read("VmRSS:")}, peak {ProcStatus.Read("VmHWM:")}, live tensors {TorchLib.LiveTensorCount}"));
            }
        }

        NativeProfile.Enabled = false;
        double totalWall = times.Sum();
        Array.Sort(times);
        double median = Timings.Quantile(times, 0.5);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"edm2_unet_fwd_bwd {work.Description}, {precision}{(channelsLast ? ", channels-last" : "")}: {work.ParameterCount} parameters, threads {threads}, libtorch {TorchLib.Version}, CPU features {TorchLib.CpuFeatures}, kernels {TorchLib.CpuKernels}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"steps {steps} (warm-up {warmup}): median {median:F1} ms/step, mean {times.Average():F1} ms/step, min {times[0]:F1}, max {times[^1]:F1}"));
        if (profile)
        {
            double totalNative = native.Sum();
            double outside = totalWall - totalNative;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"profile: native (libtorch + shim) {totalNative / steps:F1} ms/step, managed + interop {outside / steps:F2} ms/step " +
                $"= {100 * outside / totalWall:F2} % of the step, {calls / (double)steps:F0} native calls/step " +
                $"({1e6 * outside / calls:F0} ns outside native per call)"));
        }

        Console.WriteLine($"peak RSS (VmHWM): {ProcStatus.Read("VmHWM:")}");
        if (opsTop > 0) OperatorTable.Print(work.Step, 3, "steps", opsTop);
        return 0;
    }

    private static int RunAlternating(bool mainJob, StepPrecision a, StepPrecision b, int pairs, int warmup)
    {
        int threads = BenchEnvironment.Apply();
        using var workA = new Edm2UNetWorkload(mainJob, a);
        using var workB = new Edm2UNetWorkload(mainJob, b);
        for (int i = 0; i < warmup; i++)
        {
            workA.Step();
            workB.Step();
        }

        (double[] timesA, double[] timesB) = AlternatingRuns.Measure(workA.Step, workB.Step, pairs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"edm2_unet_fwd_bwd {workA.Description}, {a} versus {b}, alternating (warm-up {warmup} each): {workA.ParameterCount} parameters, threads {threads}, libtorch {TorchLib.Version}, CPU features {TorchLib.CpuFeatures}, kernels {TorchLib.CpuKernels}"));
        AlternatingRuns.Print(a.ToString(), b.ToString(), timesA, timesB, "ms/step");
        return 0;
    }
}
