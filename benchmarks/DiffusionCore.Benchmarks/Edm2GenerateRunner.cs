using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// <c>--edm2-generate [--images N] [--batch auto|N] [--steps N] [--precision auto|fp32|bf16]</c>: the main job's
/// whole sampling request (default 400 images: the 100-image grid plus the 300 evaluation images) through
/// <see cref="BatchedSampling.Generate"/> with the main-job denoiser (untrained weights), CFG w = 2 and Heun, timed
/// end to end including the batch planning, with the plan's probes, the peak CPU tensor bytes and the peak RSS.
/// </summary>
internal static class Edm2GenerateRunner
{
    public static int Run(IReadOnlyList<string> args)
    {
        int images = 400, steps = 18;
        int? batch = null;
        ComputePrecision precision = ComputePrecision.Auto;
        for (int i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--images": images = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--steps": steps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--batch":
                    string b = Next();
                    batch = b == "auto" ? null : int.Parse(b, CultureInfo.InvariantCulture);
                    break;
                case "--precision": precision = MainJobSampling.ParsePrecision(Next()); break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        int threads = BenchEnvironment.Apply();
        using var setup = new MainJobSampling(precision);
        IDenoiser guided = setup.Guided;
        HeunSampler sampler = setup.Sampler;
        double[] sigmas = SigmaSchedules.Karras(steps);
        ulong[] seeds = Enumerable.Range(0, images).Select(k => (ulong)k).ToArray();

        using var scope = new TensorScope();
        Tensor labels = Tensor.FromArray(Enumerable.Range(0, images).Select(k => (long)(k % 10)).ToArray()).OneHot(10).To(DType.Float32);
        TensorMemory.ResetCpuPeak();
        long before = TensorMemory.ReadCpu().AllocatedBytes;
        long start = Stopwatch.GetTimestamp();
        BatchedSamplingResult r = sampler.Generate(guided, seeds, [1, 32, 32], sigmas, Conditioning.FromClassLabels(labels), new SamplingBatchOptions { BatchSize = batch });
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long peak = TensorMemory.ReadCpu().PeakAllocatedBytes - before;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"edm2_generate main-job denoiser, CFG w=2, Heun {steps} steps ({r.FunctionEvaluations} NFE), {images} images, batch {(batch is null ? "auto" : batch)}, " +
            $"{precision.Resolve(Device.Cpu)} products, threads {threads}, libtorch {TorchLib.Version}"));
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
