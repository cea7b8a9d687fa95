using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>
/// Has libtorch dispatch its elementwise, reduction and activation kernels to their AVX512 builds on CPUs that can run
/// them. libtorch 1.13 ships those builds but picks AVX2 unless <c>ATEN_CPU_CAPABILITY=avx512</c> is set (AVX512 was made
/// opt-in because it clocked some older Xeons down; pytorch/pytorch#80252). On CPUs with native bfloat16 they are
/// markedly faster (measured in benchmarks/results/2026-11-22.md).
/// Applied once when the shim loads, before any kernel runs, unless <c>DIFFUSIONCORE_AVX512_KERNELS=0</c> or the process
/// sets <c>ATEN_CPU_CAPABILITY</c> itself. libtorch does not check the CPU, so this is only done when
/// <see cref="CpuFeatures.Avx512Kernels"/> is present, and only on CPUs with native bfloat16 (AVX512-BF16 or usable
/// AMX: Cooper Lake, Sapphire Rapids and later, Zen 4 and later), whose AVX512 units do not slow the clock the way
/// Skylake-SP's and Cascade Lake's can; there libtorch's choice stands unless the user sets
/// <c>ATEN_CPU_CAPABILITY=avx512</c>.
/// </summary>
internal static class CpuKernelSelection
{
    /// <summary>Set to 0 to leave libtorch's default kernel level (AVX2 on x86).</summary>
    internal const string OptOutVariable = "DIFFUSIONCORE_AVX512_KERNELS";

    /// <summary>True once the shim set <c>ATEN_CPU_CAPABILITY=avx512</c> and libtorch took it (it reports AVX512).</summary>
    internal static bool Applied { get; private set; }

    /// <summary>Whether to select the AVX512 kernels, given the process environment and the CPU's features.</summary>
    internal static bool ShouldSelectAvx512(Func<string, string?> environment, CpuFeatures features)
    {
        if (environment(OptOutVariable)?.Trim() == "0") return false;
        if (!string.IsNullOrEmpty(environment("ATEN_CPU_CAPABILITY"))) return false;
        bool nativeBFloat16 = features.HasFlag(CpuFeatures.Avx512BFloat16)
            || (features.HasFlag(CpuFeatures.AmxBFloat16) && features.HasFlag(CpuFeatures.AmxEnabledByOs));
        return features.HasFlag(CpuFeatures.Avx512Kernels) && nativeBFloat16;
    }

    /// <summary>Calls the shim through its exports (the loader must not re-enter P/Invoke resolution).</summary>
    internal static unsafe void Apply(IntPtr shim)
    {
        if (!NativeLibrary.TryGetExport(shim, "dc_cpu_capabilities", out IntPtr caps)) return;
        if (!NativeLibrary.TryGetExport(shim, "dc_select_cpu_kernels", out IntPtr select)) return;
        if (!NativeLibrary.TryGetExport(shim, "dc_cpu_kernel_capability", out IntPtr level)) return;
        int flags = 0;
        if (((delegate* unmanaged<int*, int>)caps)(&flags) != 0) return;
        if (!ShouldSelectAvx512(Environment.GetEnvironmentVariable, (CpuFeatures)flags)) return;
        byte* value = stackalloc byte[] { (byte)'a', (byte)'v', (byte)'x', (byte)'5', (byte)'1', (byte)'2', 0 };
        int applied = 0;
        if (((delegate* unmanaged<byte*, int*, int>)select)(value, &applied) != 0 || applied != 1) return;

        // Ask libtorch which level it uses now (this fixes it): a kernel that ran before the shim loaded, or a libtorch
        // built without AVX512 kernels, would have kept another.
        const int Capacity = 16;
        byte* used = stackalloc byte[Capacity];
        int length = 0;
        if (((delegate* unmanaged<byte*, int, int*, int>)level)(used, Capacity, &length) != 0 || length > Capacity) return;
        Applied = new ReadOnlySpan<byte>(used, length).SequenceEqual("AVX512"u8);
    }
}
