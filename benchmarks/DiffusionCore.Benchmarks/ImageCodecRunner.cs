using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Data;
using DiffusionCore.Data.Imaging;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// <c>image-codecs [rounds] [--files N] [--inputs DIR]</c>: times the image codecs of DiffusionCore.Data on the sizes
/// the library meets: decoding 1,000 Fashion-MNIST-sized PNGs (the first 1,000 training images, 28×28 grey), one
/// 256×256 RGB PNG and JPEG, encoding a 28×28 and a 256×256 PNG (sample grids), and loading a folder of N 256×256 RGB
/// PNGs as an <see cref="ImageFolderDataset"/> at 64×64 (read, decode, centre-crop, area resize). Prints the median
/// and the minimum over the rounds. The inputs are written once into DIR (a fresh temporary folder when not given) and
/// reused when DIR already holds them, so two builds can be timed on the same bytes. Run it with
/// <c>DIFFUSIONCORE_BENCH_THREADS=1</c> to compare codecs: the CPU time then counts the work once.
/// </summary>
internal static class ImageCodecRunner
{
    private const int FashionCount = 1000;
    private const int Side = 256;

    public static Command CreateCommand()
    {
        var command = new Command("image-codecs", "PNG/JPEG decoding and encoding and an image-folder load: wall and CPU time per image");
        command.Aliases.Add("--image-codecs");
        Argument<int> rounds = TypedOption.NumberArgument("rounds", "timed rounds (the median and minimum are printed)", 7, n => n > 0, "must be positive");
        Option<int> files = TypedOption.Positive("--files", "PNGs in the image folder that is loaded", 256);
        Option<string?> inputs = new("--inputs") { Description = "folder for the input files, written once and reused (default: a temporary folder, removed after)" };
        command.Arguments.Add(rounds);
        command.Options.Add(files);
        command.Options.Add(inputs);
        command.SetAction(p => Run(p.GetValue(rounds), p.GetValue(files), p.GetValue(inputs)));
        return command;
    }

    private static int Run(int rounds, int files, string? inputs)
    {
        int threads = BenchEnvironment.Apply();
        bool temporary = inputs is null;
        inputs ??= Directory.CreateTempSubdirectory("dc-image-codecs-").FullName;
        try
        {
            Inputs data = Inputs.Prepare(inputs, files);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"image codecs: threads {threads}, libtorch {TorchLib.Version}, inputs {inputs}: {FashionCount} Fashion-MNIST PNGs (mean {data.Fashion.Average(b => b.Length):F0} B), " +
                $"{Side}² RGB PNG {data.Png.Length} B, JPEG {data.Jpeg.Length} B, folder of {files} PNGs"));
            Report("decode 28² grey PNG", "µs/image", rounds, FashionCount, () =>
            {
                foreach (byte[] png in data.Fashion) ImageCodec.Decode(png).Dispose();
            });
            Report($"decode {Side}² RGB PNG", "ms/image", rounds, 1, () => ImageCodec.Decode(data.Png).Dispose(), repeat: 20);
            Report($"decode {Side}² RGB JPEG", "ms/image", rounds, 1, () => ImageCodec.Decode(data.Jpeg).Dispose(), repeat: 20);
            using (var scope = new TensorScope())
            {
                Tensor small = ImageCodec.Decode(data.Fashion[0]);
                Tensor large = ImageCodec.Decode(data.Png);
                Report("encode 28² grey PNG", "µs/image", rounds, 100, () =>
                {
                    for (int i = 0; i < 100; i++) ImageCodec.EncodePng(small);
                });
                Report($"encode {Side}² RGB PNG", "ms/image", rounds, 1, () => ImageCodec.EncodePng(large), repeat: 10);
            }

            var options = new ImageFolderOptions { Root = data.Folder, Resolution = 64 };
            Report($"load folder of {files} {Side}² PNGs at 64²", "ms/image", rounds, files, () => ImageFolderDataset.Load(options));
            return 0;
        }
        finally
        {
            if (temporary) Directory.Delete(inputs, recursive: true);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> once to warm up, then <paramref name="rounds"/> timed rounds of
    /// <paramref name="repeat"/> calls; prints the median wall time and the median CPU time of the process per item
    /// (on a busy machine the CPU time is the steadier of the two, with one libtorch thread).
    /// </summary>
    private static void Report(string name, string unit, int rounds, int itemsPerCall, Action work, int repeat = 1)
    {
        double scale = unit.StartsWith("µs", StringComparison.Ordinal) ? 1e3 : 1.0;
        work();
        var wall = new double[rounds];
        var cpu = new double[rounds];
        using var process = Process.GetCurrentProcess();
        for (int r = 0; r < rounds; r++)
        {
            process.Refresh();
            TimeSpan cpuStart = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            for (int k = 0; k < repeat; k++) work();
            wall[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds * scale / (repeat * itemsPerCall);
            process.Refresh();
            cpu[r] = (process.TotalProcessorTime - cpuStart).TotalMilliseconds * scale / (repeat * itemsPerCall);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-40} wall median {Timings.Quantile(wall, 0.5),8:F3} {unit} (min {wall.Min():F3}), CPU median {Timings.Quantile(cpu, 0.5),8:F3} {unit}"));
    }

    /// <summary>The encoded inputs, written into a folder on first use.</summary>
    private sealed record Inputs(byte[][] Fashion, byte[] Png, byte[] Jpeg, string Folder)
    {
        public static Inputs Prepare(string directory, int files)
        {
            using var scope = new TensorScope();
            string fashionDirectory = Path.Combine(directory, "fashion");
            if (!Directory.Exists(fashionDirectory))
            {
                Directory.CreateDirectory(fashionDirectory);
                FashionMnistDataset train = FashionMnistDataset.Load(new FashionMnistOptions { MaxCount = FashionCount });
                for (int i = 0; i < FashionCount; i++)
                {
                    Tensor pixels = Tensor.FromSpan<byte>(train.GetPixels(i).Span, [1, 28, 28]);
                    File.WriteAllBytes(Path.Combine(fashionDirectory, $"{i:D4}.png"), ImageCodec.EncodePng(pixels));
                }
            }

            string folder = Path.Combine(directory, "folder");
            if (!Directory.Exists(folder) || Directory.GetFiles(folder).Length != files)
            {
                Directory.CreateDirectory(folder);
                using var g = new Generator(BenchEnvironment.Seed);
                for (int i = 0; i < files; i++)
                {
                    File.WriteAllBytes(Path.Combine(folder, $"{i:D5}.png"), ImageCodec.EncodePng(PhotoLike(g)));
                }
            }

            string jpegPath = Path.Combine(directory, "photo.jpg");
            if (!File.Exists(jpegPath))
            {
                using var g = new Generator(BenchEnvironment.Seed + 1);
                File.WriteAllBytes(jpegPath, ImageCodec.EncodeJpeg(PhotoLike(g), quality: 90));
            }

            byte[][] fashion = Directory.GetFiles(fashionDirectory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
            byte[] png = File.ReadAllBytes(Path.Combine(folder, "00000.png"));
            return new Inputs(fashion, png, File.ReadAllBytes(jpegPath), folder);
        }

        /// <summary>A 3×256×256 uint8 picture with smooth colour gradients and mild noise (compresses like a photo, not like noise).</summary>
        private static Tensor PhotoLike(Generator g)
        {
            Tensor ramp = Tensor.Linspace(0, 1, Side);
            Tensor phase = Tensor.Rand([3, 1, 1], g) * 6.28;
            Tensor waves = ((ramp.View(1, Side, 1) * 5 + phase).Sin() + (ramp.View(1, 1, Side) * 3 - phase).Cos()) * 60 + 128;
            Tensor noisy = waves + Tensor.Randn([3, Side, Side], g) * 6;
            return noisy.Round().Clamp(0, 255).To(DType.UInt8);
        }
    }
}
