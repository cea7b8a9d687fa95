using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Distributed;
using DiffusionCore.Training;
using DiffusionCore.Data;
using DiffusionCore.Training.Losses;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// <c>ddp-step [steps] [warmup]</c>: full <see cref="DiffusionTrainer"/> steps of the main job's network and batch
/// (<see cref="Edm2UNetWorkload.MainJobOptions"/>, global batch 64, EDM2 loss, the job's default precision) on
/// synthetic labelled 32² images, data-parallel when started under <c>eng/launch.sh -n N</c> (one process otherwise).
/// Rank 0 prints the median step time, the global images per second, the time per step spent in the gradient
/// all-reduce (waiting for the other rank included), and the time of the same all-reduce alone, measured after
/// training between barriers, and the CPU time (user + system) of all processes per image, which a busy machine inflates
/// less than the wall time. Threads per process: <c>DIFFUSIONCORE_BENCH_THREADS</c> (default 2).
/// </summary>
internal static class DataParallelStepRunner
{
    public static Command CreateCommand()
    {
        var command = new Command("ddp-step", "data-parallel trainer steps of the main job's network (under eng/launch.sh): images/s, all-reduce share, CPU time per image");
        command.Aliases.Add("--ddp-step");
        Argument<int> steps = TypedOption.NumberArgument("steps", "timed steps", 20, n => n > 0, "must be positive");
        Argument<int> warmup = TypedOption.NumberArgument("warmup", "untimed steps first", 3, n => n >= 0, "must be >= 0");
        command.Arguments.Add(steps);
        command.Arguments.Add(warmup);
        command.SetAction(p => Run(p.GetValue(steps), p.GetValue(warmup)));
        return command;
    }

    private static int Run(int steps, int warmup)
    {
        int threads = BenchEnvironment.Apply();
        var env = DistributedEnvironment.FromEnvironment();
        using ProcessGroup? group = env.IsDistributed ? ProcessGroup.Create(env) : null;
        var reducer = group is null ? null : new DataParallelGradientReducer(group);

        using var generator = new Generator(BenchEnvironment.Seed);
        using var network = new Edm2Denoiser(Edm2UNetWorkload.MainJobOptions, generator);
        using var data = new SyntheticImages(4096, generator);
        string runDirectory = Directory.CreateTempSubdirectory("dc-ddp-bench-").FullName;
        const int Batch = Edm2UNetWorkload.MainJobBatch;
        var options = new TrainingOptions
        {
            RunDirectory = runDirectory,
            Seed = 1,
            TotalImages = (long)(warmup + steps) * Batch,
            BatchSize = Batch,
            LearningRateSchedule = LearningRateScheduleKind.Constant,
            LearningRate = 1e-3,
            Resume = false,
        };
        var stamps = new List<long>();
        TimeSpan reduceAtWarmup = TimeSpan.Zero, cpuAtWarmup = TimeSpan.Zero;
        try
        {
            using var trainer = new DiffusionTrainer(network, new Edm2Loss(network), data, options)
            {
                GradientReducer = reducer is null ? LocalGradientReducer.Instance : reducer,
            };
            long start = Stopwatch.GetTimestamp();
            trainer.Run(new Recorder(p =>
            {
                stamps.Add(Stopwatch.GetTimestamp());
                if (stamps.Count != warmup) return;
                reduceAtWarmup = reducer?.ReduceTime ?? TimeSpan.Zero;
                cpuAtWarmup = Process.GetCurrentProcess().TotalProcessorTime;
            }));
            stamps.Insert(0, start);
        }
        finally
        {
            Directory.Delete(runDirectory, recursive: true);
        }

        double[] times = [.. Enumerable.Range(warmup + 1, steps).Select(i => Stopwatch.GetElapsedTime(stamps[i - 1], stamps[i]).TotalMilliseconds)];
        double median = Timings.Quantile(times, 0.5);
        double reducePerStep = ((reducer?.ReduceTime ?? TimeSpan.Zero) - reduceAtWarmup).TotalMilliseconds / steps;
        double cpuPerImage = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtWarmup).TotalMilliseconds / ((double)steps * Batch);
        if (group is not null)
        {
            using var sum = Tensor.Full([1], cpuPerImage, DType.Float64);
            group.AllReduce(sum);
            cpuPerImage = sum.ToDouble();
        }

        double alone = group is null ? 0 : AllReduceAlone(group, network);
        if (!env.IsRankZero) return 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ddp_step main job network ({network.NumParameters()} parameters), global batch {Batch}, {env.WorldSize} process(es) x {threads} thread(s), precision {options.Precision.Resolve(Device.Cpu)}, libtorch {TorchLib.Version}, kernels {TorchLib.CpuKernels}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"steps {steps} (warm-up {warmup}): median {median:F1} ms/step, mean {times.Average():F1}, min {times.Min():F1}, max {times.Max():F1}; {Batch * 1000.0 / median:F1} images/s; CPU time of all processes {cpuPerImage:F2} ms/image"));
        if (group is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gradient all-reduce in the step: {reducePerStep:F1} ms/step ({100 * reducePerStep / times.Average():F1} % of the mean step, waiting for the other ranks included); the same all-reduce alone: {alone:F2} ms ({100 * alone / median:F1} % of the median step)"));
        }

        return 0;
    }

    /// <summary>The median time of one bucketed all-reduce of tensors shaped like the network's parameters, all ranks starting together.</summary>
    private static double AllReduceAlone(ProcessGroup group, Edm2Denoiser network)
    {
        using var scope = new TensorScope();
        Tensor[] gradients = [.. network.Parameters().Select(p => p.Detach().ZerosLike())];
        var times = new double[20];
        for (int i = 0; i < times.Length; i++)
        {
            group.Barrier();
            long start = Stopwatch.GetTimestamp();
            group.AllReduce(gradients);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return Timings.Quantile(times, 0.5);
    }

    private sealed class Recorder(Action<TrainingProgress> onStep) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onStep(value);
    }

    /// <summary>Random labelled grey 32² images in [−1, 1], held in memory.</summary>
    private sealed class SyntheticImages : IImageDataset, IDisposable
    {
        private readonly Tensor _images;
        private readonly Tensor _labels;

        public SyntheticImages(int count, Generator generator)
        {
            _images = (Tensor.Rand([count, 1, 32, 32], generator) * 2 - 1).DetachFromScope();
            _labels = Tensor.RandInt(0, 10, [count], generator).DetachFromScope();
            Count = count;
        }

        public int Count { get; }

        public int Channels => 1;

        public int Height => 32;

        public int Width => 32;

        public int LabelCount => 10;

        public ImageBatch ReadBatch(ReadOnlySpan<int> indices)
        {
            Tensor index = Tensor.FromArray(indices.ToArray().Select(i => (long)i).ToArray());
            return new ImageBatch(_images.IndexSelect(0, index), _labels.IndexSelect(0, index));
        }

        public void Dispose()
        {
            _images.Dispose();
            _labels.Dispose();
        }
    }
}
