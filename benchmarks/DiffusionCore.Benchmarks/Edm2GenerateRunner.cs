using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Sampling;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// <c>edm2-generate [--images N] [--batch auto|N] [--steps N] [--precision auto|fp32|bf16]</c>: the main job's
/// whole sampling request (default 400 images: the 100-image grid plus the 300 evaluation images) through
/// <see cref="BatchedSampling.Generate"/> with the main-job denoiser (untrained weights), CFG w = 2 and Heun, timed
/// end to end including the batch planning, with the plan's probes, the peak CPU tensor bytes and the peak RSS.
/// </summary>
internal static class Edm2GenerateRunner
{
    public static Command CreateCommand()
    {
        var command = new Command("edm2-generate", "the main job's whole sampling request (grid and evaluation images) with batch planning, timed end to end");
        command.Aliases.Add("--edm2-generate");
        Option<int> images = TypedOption.Positive("--images", "images to generate (the main job: 100 for the grid + 300 evaluated)", 400);
        Option<AutoCount> batch = TypedOption.AutoCount("--batch", "images per sampling batch (auto: planned, as the main job)", null);
        command.Options.Add(images);
        command.Options.Add(batch);
        Func<ParseResult, MainJobSampling.Options> options = MainJobSampling.Options.AddTo(command);
        command.SetAction(p => Run(p.GetValue(images), p.GetValue(batch).Value, options(p)));
        return command;
    }

    private static int Run(int images, int? batch, MainJobSampling.Options options)
    {
        int threads = BenchEnvironment.Apply();
        using var setup = new MainJobSampling(options);
        ulong[] seeds = Enumerable.Range(0, images).Select(k => (ulong)k).ToArray();

        using var scope = new TensorScope();
        Tensor labels = Tensor.FromArray(Enumerable.Range(0, images).Select(k => (long)(k % 10)).ToArray()).OneHot(10).To(DType.Float32);
        TensorMemory.ResetCpuPeak();
        long before = TensorMemory.ReadCpu().AllocatedBytes;
        long start = Stopwatch.GetTimestamp();
        BatchedSamplingResult r = setup.Sampler.Generate(setup.Guided, seeds, [1, 32, 32], setup.Sigmas, Conditioning.FromClassLabels(labels), new SamplingBatchOptions { BatchSize = batch });
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long peak = TensorMemory.ReadCpu().PeakAllocatedBytes - before;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"edm2_generate main-job denoiser, CFG w=2, Heun {options.Steps} steps ({r.FunctionEvaluations} NFE), {images} images, batch {(batch is null ? "auto" : batch)}, " +
            $"{options.Precision.Resolve(Device.Cpu)} products, threads {threads}, libtorch {TorchLib.Version}"));
        Console.WriteLine($"plan: batch {r.Plan.BatchSize}: {r.Plan.Reason}");
        foreach (BatchProbe p in r.Plan.Probes)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  probe batch {p.BatchSize,5}: {p.SecondsPerImage * 1e3,8:F3} ms/image per call, peak {(p.PeakBytes ?? 0) / 1048576.0,8:F1} MiB"));
        }

        double probeSeconds = r.Plan.Probes.Sum(p => (1 + SamplingBatchPlanner.TimedCalls) * p.SecondsPerImage * p.BatchSize);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total {seconds:F2} s = {1e3 * seconds / images:F2} ms/image (planning ≈ {probeSeconds:F2} s); peak CPU tensor bytes {peak / 1048576.0:F0} MiB; peak RSS (VmHWM) {ProcStatus.Read("VmHWM:")}"));
        return 0;
    }
}
