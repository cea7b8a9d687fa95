using System.Globalization;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// Settings shared by every benchmark process. The libtorch intra-op thread count comes from
/// <c>DIFFUSIONCORE_BENCH_THREADS</c> (default 2, the core count of the reference machine) so that the processes
/// BenchmarkDotNet launches, which inherit the environment, use the same value as the <c>compare</c> runner and the
/// Python script.
/// </summary>
internal static class BenchEnvironment
{
    /// <summary>Environment variable holding the libtorch intra-op thread count.</summary>
    public const string ThreadsVariable = "DIFFUSIONCORE_BENCH_THREADS";

    /// <summary>Thread count used when <see cref="ThreadsVariable"/> is unset.</summary>
    public const int DefaultThreads = 2;

    /// <summary>Seed of the generator that fills every benchmark input.</summary>
    public const ulong Seed = 1234;

    /// <summary>The configured thread count.</summary>
    public static int Threads
    {
        get
        {
            string? raw = Environment.GetEnvironmentVariable(ThreadsVariable);
            if (string.IsNullOrWhiteSpace(raw))
            {
                return DefaultThreads;
            }

            if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
            {
                throw new InvalidOperationException($"{ThreadsVariable} must be a positive integer, got '{raw}'.");
            }

            return n;
        }
    }

    /// <summary>Loads libtorch and sets its intra-op thread count explicitly; returns the count in effect.</summary>
    public static int Apply()
    {
        TorchLib.EnsureLoaded();
        TorchLib.NumThreads = Threads;
        return TorchLib.NumThreads;
    }
}
