using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Sampling;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// <c>edm2-sample [--batch N] [--steps N] [--repeats N] [--precision auto|fp32|bf16] [--versus auto|fp32|bf16] [--profile] [--ops [top]]</c>: the main job's
/// sampling loop — its class-conditional EDM2 denoiser (untrained weights: the time does not depend on them), classifier-free
/// guidance w = 2 in one batched call, Heun with the EDM schedule (18 steps, 35 NFE) — timed per run after one warm-up
/// run, with the peak RSS. <c>--profile</c> splits the time into native and managed + interop as for <c>edm2-step</c>;
/// <c>--ops [top]</c> then prints the operator table of one more run. <c>--versus P</c> builds the same denoiser, inputs
/// and seed a second time in precision P and alternates the two precisions' runs in one process (<see cref="AlternatingRuns"/>).
/// </summary>
internal static class Edm2SampleRunner
{
    public static Command CreateCommand()
    {
        var command = new Command("edm2-sample", "the main job's sampling loop (guided Heun), timed per run after a warm-up run");
        command.Aliases.Add("--edm2-sample");
        Option<int> batch = TypedOption.Positive("--batch", "images per run", 250);
        Option<int> repeats = TypedOption.Positive("--repeats", "timed runs (pairs with --versus)", 3);
        Option<bool> profile = new("--profile") { Description = "split the time into native (libtorch) and managed + interop" };
        Option<int> ops = OperatorTable.CreateOption("one more run");
        Option<ComputePrecision?> versus = ChoiceOption.OptionalChoice("--versus", "alternate with the same runs in this precision, in one process", ChoiceOption.PrecisionNames);
        foreach (Option option in new Option[] { batch, repeats, profile, ops, versus }) command.Options.Add(option);
        Func<ParseResult, MainJobSampling.Options> options = MainJobSampling.Options.AddTo(command);
        command.SetAction(p =>
        {
            MainJobSampling.Options settings = options(p);
            if (p.GetValue(versus) is not ComputePrecision other) return Run(settings, p.GetValue(batch), p.GetValue(repeats), p.GetValue(profile), p.GetValue(ops));
            if (p.GetValue(profile) || p.GetValue(ops) > 0)
            {
                Console.Error.WriteLine("--versus takes no --profile or --ops: run those per precision.");
                return CommandLineApp.UsageErrorExitCode;
            }

            return RunAlternating(settings, settings with { Precision = other }, p.GetValue(batch), p.GetValue(repeats));
        });
        return command;
    }

    private static int Run(MainJobSampling.Options options, int batch, int repeats, bool profile, int opsTop)
    {
        int threads = BenchEnvironment.Apply();
        using var setup = new MainJobSampling(options);

        var times = new List<double>();
        int nfe = 0;
        long calls = 0, nativeNs = 0;
        for (int r = 0; r <= repeats; r++)
        {
            NativeProfile.Enabled = profile && r > 0;
            NativeProfile.Read(reset: true);
            long start = Stopwatch.GetTimestamp();
            int functionEvaluations = setup.SampleOnce(batch);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            NativeTimeSample s = NativeProfile.Read(reset: true);
            NativeProfile.Enabled = false;
            nfe = functionEvaluations;
            if (r == 0) continue; // warm-up: oneDNN creates its kernels for these shapes
            times.Add(ms);
            calls += s.Calls;
            nativeNs += s.NativeNanoseconds;
        }

        double median = times.Order().ElementAt(times.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"edm2_sample main-job denoiser, CFG w=2 (batched), Heun {options.Steps} steps ({nfe} NFE), batch {batch}, {options.Precision} -> " +
            $"{options.Precision.Resolve(Device.Cpu)} products, threads {threads}, libtorch {TorchLib.Version}, kernels {TorchLib.CpuKernels}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"runs {repeats} (warm-up 1): median {median:F0} ms/run = {median / batch:F2} ms/image, min {times.Min():F0}, max {times.Max():F0}"));
        if (profile)
        {
            double total = times.Sum() * 1e6;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"profile: managed + interop {100 * (total - nativeNs) / total:F2} % of the run, {calls / (double)repeats:F0} native calls/run"));
        }

        Console.WriteLine($"peak RSS (VmHWM): {ProcStatus.Read("VmHWM:")}");
        if (opsTop > 0)
        {
            OperatorTable.Print(() => setup.SampleOnce(batch), 1, "run", opsTop);
        }

        return 0;
    }

    private static int RunAlternating(MainJobSampling.Options optionsA, MainJobSampling.Options optionsB, int batch, int pairs)
    {
        int threads = BenchEnvironment.Apply();
        using var a = new MainJobSampling(optionsA);
        using var b = new MainJobSampling(optionsB);
        a.SampleOnce(batch);
        b.SampleOnce(batch); // warm-up: oneDNN creates its kernels for these shapes
        (double[] timesA, double[] timesB) = AlternatingRuns.Measure(() => a.SampleOnce(batch), () => b.SampleOnce(batch), pairs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"edm2_sample main-job denoiser, CFG w=2 (batched), Heun {optionsA.Steps} steps, batch {batch}, {optionsA.Precision} versus {optionsB.Precision}, " +
            $"alternating (warm-up 1 each), threads {threads}, libtorch {TorchLib.Version}, kernels {TorchLib.CpuKernels}"));
        AlternatingRuns.Print(optionsA.Precision.ToString(), optionsB.Precision.ToString(), timesA, timesB, "ms/run");
        return 0;
    }
}
