namespace DiffusionCore.Torch;

/// <summary>The CPU's vector and reduced-precision matrix features, read with CPUID by the native shim (x86 only).</summary>
[Flags]
public enum CpuFeatures
{
    /// <summary>None of the features below (or a non-x86 CPU).</summary>
    None = 0,

    /// <summary>AVX512-BF16: bfloat16 dot products in AVX-512 registers (Cooper Lake, Sapphire Rapids, Zen 4 and later).</summary>
    Avx512BFloat16 = 1,

    /// <summary>AMX-BF16: bfloat16 tile matrix multiply (Sapphire Rapids and later).</summary>
    AmxBFloat16 = 2,

    /// <summary>AVX512 Foundation.</summary>
    Avx512F = 4,

    /// <summary>The operating system saves AMX tile state (XCR0 bits 17 and 18), so AMX can actually be used.</summary>
    AmxEnabledByOs = 8,

    /// <summary>
    /// libtorch's AVX512 kernels can run: AVX2, AVX512 F, BW, DQ and VL, FMA, and the operating system saves the opmask and
    /// ZMM state (XCR0 bits 5–7). With native bfloat16 as well, DiffusionCore has libtorch use them (see
    /// <see cref="Torch.CpuKernels"/>).
    /// </summary>
    Avx512Kernels = 16,
}
