using System.Runtime.InteropServices;
using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

/// <summary>Library-wide facts and settings of the linked libtorch.</summary>
public static class Torch
{
    /// <summary>The libtorch version the native shim was built against, e.g. "1.13.0".</summary>
    public static string Version => Marshal.PtrToStringUTF8(NativeMethods.dc_torch_version()) ?? "unknown";

    /// <summary>The shim's ABI version.</summary>
    public static int AbiVersion => NativeMethods.dc_abi_version();

    /// <summary>True when the linked libtorch was built with CUDA and a GPU is visible.</summary>
    public static bool IsCudaAvailable => NativeMethods.dc_cuda_available() != 0;

    /// <summary>Number of visible CUDA devices (0 without CUDA).</summary>
    public static int CudaDeviceCount => NativeMethods.dc_cuda_device_count();

    /// <summary>Native tensor handles currently alive in this process (for leak tests).</summary>
    public static long LiveTensorCount => NativeMethods.dc_live_tensors();

    /// <summary>
    /// Threads libtorch uses inside one op (intra-op parallelism). Process-wide: a change also reaches threads that
    /// already ran operations (on their next call). Must be at least 1. By default the cores available to the process
    /// (<see cref="IntraOpThreads"/>, which also says who chose the current count); <c>OMP_NUM_THREADS</c> keeps libtorch's
    /// own choice. A resume is bit-exact only with the count the checkpoint was written with.
    /// </summary>
    public static int NumThreads
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_get_num_threads(out int n));
            return n;
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            NativeStatus.Check(NativeMethods.dc_set_num_threads(value));
            IntraOpThreads.MarkExplicit();
        }
    }

    // CPUID does not change while the process runs: read it once, not on every ComputePrecision.Auto resolution.
    private static readonly Lazy<CpuFeatures> s_cpuFeatures = new(() =>
    {
        NativeStatus.Check(NativeMethods.dc_cpu_capabilities(out int flags));
        return (CpuFeatures)flags;
    });

    /// <summary>The CPU's reduced-precision matrix features (CPUID leaf 7; <see cref="CpuFeatures.None"/> off x86), read once per process.</summary>
    public static CpuFeatures CpuFeatures => s_cpuFeatures.Value;

    /// <summary>
    /// True when the CPU multiplies bfloat16 natively: AVX512-BF16, or AMX-BF16 with tile state enabled by the OS.
    /// Without either, libtorch emulates bfloat16 products and they are slower than float32.
    /// </summary>
    public static bool HasNativeBFloat16
    {
        get
        {
            var f = CpuFeatures;
            return f.HasFlag(CpuFeatures.Avx512BFloat16)
                || (f.HasFlag(CpuFeatures.AmxBFloat16) && f.HasFlag(CpuFeatures.AmxEnabledByOs));
        }
    }

    /// <summary>
    /// True when DiffusionCore set glibc's malloc to keep freed tensor memory in the process (M_MMAP_THRESHOLD 1 GiB,
    /// M_TRIM_THRESHOLD 2 GiB) when the shim loaded, which saves page-faulting activations again every step. Off with
    /// <c>DIFFUSIONCORE_MALLOC_TUNING=0</c>, when the process sets <c>MALLOC_MMAP_THRESHOLD_</c>,
    /// <c>MALLOC_TRIM_THRESHOLD_</c> or <c>glibc.malloc.*</c> tunables itself, and on non-glibc systems.
    /// </summary>
    public static bool AllocatorTuned
    {
        get
        {
            NativeLoader.EnsureLoaded();
            return AllocatorTuning.Applied;
        }
    }

    /// <summary>
    /// The kernel level libtorch dispatches its CPU elementwise, reduction and activation kernels to: <c>"AVX512"</c>,
    /// <c>"AVX2"</c> or <c>"NO AVX"</c> (what <c>torch.__config__.show()</c> calls "CPU capability usage"). Reading it
    /// fixes the level for the process. DiffusionCore
    /// selects AVX512 on CPUs with <see cref="CpuFeatures.Avx512Kernels"/> and native bfloat16 (as for
    /// <see cref="HasNativeBFloat16"/>), where libtorch 1.13 would pick AVX2; set
    /// <c>DIFFUSIONCORE_AVX512_KERNELS=0</c> to keep libtorch's choice, or <c>ATEN_CPU_CAPABILITY</c> to choose yourself.
    /// </summary>
    public static unsafe string CpuKernels
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_cpu_kernel_capability(null, 0, out int needed));
            byte[] buffer = new byte[needed];
            fixed (byte* p = buffer)
            {
                NativeStatus.Check(NativeMethods.dc_cpu_kernel_capability(p, buffer.Length, out _));
            }

            return System.Text.Encoding.ASCII.GetString(buffer);
        }
    }

    /// <summary>True when DiffusionCore set <c>ATEN_CPU_CAPABILITY=avx512</c> as the shim loaded (see <see cref="CpuKernels"/>).</summary>
    public static bool Avx512KernelsSelected
    {
        get
        {
            NativeLoader.EnsureLoaded();
            return CpuKernelSelection.Applied;
        }
    }

    /// <summary>Re-seeds <see cref="Generator.Default"/>.</summary>
    public static void ManualSeed(ulong seed) => Generator.Default.Seed(seed);

    /// <summary>Loads and checks the native shim now, throwing <see cref="TorchLibraryLoadException"/> with the cause if it cannot be used.</summary>
    public static void EnsureLoaded() => NativeLoader.EnsureLoaded();
}
