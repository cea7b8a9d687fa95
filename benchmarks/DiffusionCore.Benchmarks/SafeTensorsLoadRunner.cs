using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// <c>safetensors-load [MiB] [rounds] [--checksums]</c>: writes a float32 safetensors file of about <c>MiB</c> MiB
/// (default 100) laid out like a network checkpoint (a few large weight matrices, many small biases), with per-tensor
/// checksums when <c>--checksums</c> is given (verified by every load), then loads it whole with
/// <see cref="SafeTensors.Load"/> <c>rounds</c> times (default 20) from the page cache and prints the median and the
/// fastest wall time per load and the throughput. The first load (cold tensor memory) is reported separately.
/// </summary>
internal static class SafeTensorsLoadRunner
{
    public static Command CreateCommand()
    {
        var command = new Command("safetensors-load", "Whole-file safetensors loads from the page cache: median and fastest wall time, throughput");
        command.Aliases.Add("--safetensors-load");
        Argument<int> mib = TypedOption.NumberArgument("MiB", "size of the file written and loaded", 100, n => n > 0, "must be positive");
        Argument<int> rounds = TypedOption.NumberArgument("rounds", "timed loads", 20, n => n > 0, "must be positive");
        Option<bool> checksums = new("--checksums") { Description = "store per-tensor checksums (verified by every load)" };
        command.Arguments.Add(mib);
        command.Arguments.Add(rounds);
        command.Options.Add(checksums);
        command.SetAction(p => Run(p.GetValue(mib), p.GetValue(rounds), p.GetValue(checksums)));
        return command;
    }

    private static int Run(int mib, int rounds, bool checksums)
    {
        string dir = Directory.CreateTempSubdirectory("dc-load-bench-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.safetensors");
            long bytes = Write(path, mib, checksums);
            double[] ms = new double[rounds];
            double first = 0;
            for (int r = -1; r < rounds; r++)
            {
                var clock = Stopwatch.StartNew();
                using (var scope = new TensorScope())
                {
                    SafeTensors.Load(path);
                }

                double elapsed = clock.Elapsed.TotalMilliseconds;
                if (r < 0) first = elapsed;
                else ms[r] = elapsed;
            }

            double median = Timings.Quantile(ms, 0.5), fastest = ms.Min();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"safetensors load of {bytes / 1048576.0:F1} MiB{(checksums ? " with checksums" : string.Empty)} ({TorchLib.NumThreads} threads): first {first:F1} ms; " +
                $"median {median:F1} ms ({bytes / median / 1e6:F2} GB/s), fastest {fastest:F1} ms over {rounds} loads"));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Writes 80 % of the bytes as 16 square weight matrices and the rest as 512 small vectors.</summary>
    private static long Write(string path, int mib, bool checksums)
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        long total = (long)mib << 20;
        int side = (int)Math.Sqrt(total * 0.8 / 16 / 4);
        long vector = (long)(total * 0.2 / 512 / 4);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        for (int i = 0; i < 16; i++) tensors.Add(new($"blocks.{i}.weight", Tensor.Randn([side, side], g)));
        for (int i = 0; i < 512; i++) tensors.Add(new($"blocks.{i}.bias", Tensor.Randn([vector], g)));
        SafeTensors.Save(path, tensors, checksums: checksums);
        return new FileInfo(path).Length;
    }
}
