using System.Diagnostics;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.CrashProbe;

/// <summary>
/// Issue 16, item 1: a safetensors file rewritten in place (truncated and written again, as <c>cp</c> over it does)
/// while another thread loads it. A load may fail with a typed exception; it must never kill the process.
/// </summary>
internal static class LoadWhileRewritten
{
    public static string Run(string[] args)
    {
        TimeSpan duration = Scenarios.Duration(args, 2000);
        string dir = Directory.CreateTempSubdirectory("dc-crashprobe-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.safetensors");
            using (var scope = new TensorScope())
            {
                using var g = new Generator(5);
                SafeTensors.Save(path, Enumerable.Range(0, 8).Select(i => KeyValuePair.Create($"w{i}", Tensor.Randn([256, 1024], g))));
            }

            byte[] bytes = File.ReadAllBytes(path);
            bool stop = false;
            int rewrites = 0;
            var writer = new Thread(() =>
            {
                while (!Volatile.Read(ref stop))
                {
                    using var stream = new FileStream(path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite);
                    stream.Write(bytes);
                    rewrites++;
                }
            });
            writer.Start();

            int loads = 0, refused = 0;
            var clock = Stopwatch.StartNew();
            try
            {
                while (clock.Elapsed < duration)
                {
                    try
                    {
                        using var scope = new TensorScope();
                        SafeTensors.Load(path);
                        loads++;
                    }
                    catch (Exception e) when (e is SafeTensorsFormatException or IOException)
                    {
                        refused++;
                    }
                }
            }
            finally
            {
                Volatile.Write(ref stop, true);
                writer.Join();
            }

            return $"ok: {loads} complete loads, {refused} refused with a typed exception, {rewrites} rewrites";
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
