using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

/// <summary>
/// Runs the matrix products of the calling thread — <c>Conv2d</c>, <c>ConvTranspose2d</c>, <c>Linear</c>,
/// <c>MatMul</c>, <c>Bmm</c>, <c>Einsum</c> and the two products of scaled dot-product attention — in bfloat16 (or
/// float16) while their float32 inputs and outputs, and every other op, stay float32: each float32 operand is rounded
/// to the reduced dtype, the product is computed there (on CPUs with AMX or AVX512-BF16, by oneDNN's bfloat16
/// kernels) and cast back to float32; autograd casts the gradients the same way.
/// </summary>
/// <remarks>
/// This is mixed precision in the sense of Micikevicius et al. 2018 ("Mixed Precision Training", ICLR) with bfloat16
/// (Kalamkar et al. 2019): parameters, optimizer state, normalisations, elementwise ops, the softmax and the loss keep
/// float32, only the products that dominate a UNet's time run on the reduced-precision units. It differs from
/// libtorch autocast (<see cref="AutocastScope"/>) in one respect: autocast leaves product outputs in bfloat16, so
/// the following elementwise ops and group norms run in bfloat16, which libtorch 1.13's CPU kernels run several times
/// slower than float32 (benchmarks/results/2026-11-22.md). Operands that are not float32 (float64 tests, bfloat16 tensors) are
/// left alone. <c>ConvTranspose2d</c> stays float32 on the CPU with libtorch 1.x, whose CPU kernel rejects bfloat16
/// transposed convolutions. Scopes nest and restore the previous setting on dispose; the setting belongs to the calling thread.
/// </remarks>
public sealed class MatmulPrecisionScope : IDisposable
{
    private readonly int _previous;
    private bool _disposed;

    /// <summary>Enters reduced-precision products in <paramref name="dtype"/>; <c>enabled: false</c> turns them off inside the scope.</summary>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is neither bfloat16 nor float16.</exception>
    public MatmulPrecisionScope(DType dtype = DType.BFloat16, bool enabled = true)
    {
        if (dtype is not (DType.BFloat16 or DType.Float16))
        {
            throw new ArgumentException($"Reduced-precision products run in bfloat16 or float16, not {dtype}.", nameof(dtype));
        }

        NativeStatus.Check(NativeMethods.dc_get_matmul_precision(out _previous));
        NativeStatus.Check(NativeMethods.dc_set_matmul_precision(enabled ? (int)dtype : -1));
    }

    /// <summary>The calling thread's reduced product dtype, or null when products run in their operands' dtype.</summary>
    public static DType? Current
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_get_matmul_precision(out int code));
            return code < 0 ? null : (DType)code;
        }
    }

    /// <summary>Restores the setting that was active when the scope was entered.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        NativeStatus.Check(NativeMethods.dc_set_matmul_precision(_previous));
    }
}
