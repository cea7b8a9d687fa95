using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Torch.Tests.Precision;

/// <summary>
/// MatmulPrecisionScope: every product op computes exactly what an explicit cast to bfloat16, the op, and a cast back
/// to float32 compute (the same kernels, so bit for bit), gradients reach float32 leaves the same way, and nothing
/// else changes (elementwise ops, float64 operands, other threads, the state after the scope).
/// </summary>
public class MatmulPrecisionScopeTests
{
    private static Tensor Randn(Generator g, params long[] shape) => Tensor.Randn(shape, g);

    private static Tensor Bf(Tensor t) => t.To(DType.BFloat16);

    private static void ShouldBitEqual(Tensor actual, Tensor expected)
    {
        actual.DType.Should().Be(DType.Float32);
        actual.Shape.Should().Equal(expected.Shape);
        actual.ToArray<float>().Should().Equal(expected.ToArray<float>());
    }

    private static void ShouldDifferFromFloat32(Tensor reduced, Tensor full)
    {
        reduced.ToArray<float>().Should().NotEqual(full.ToArray<float>(), "the product really ran in bfloat16");
        double maxAbs = full.Abs().Max().ToDouble();
        reduced.Sub(full).Abs().Max().ToDouble().Should().BeLessThan(0.05 * maxAbs, "only the operands were rounded to 8 mantissa bits");
    }

    [Fact]
    public void Conv2d_computes_in_bfloat16_and_conv_transpose2d_where_libtorch_supports_it()
    {
        using var scope = new TensorScope();
        using var g = new Generator(11);
        Tensor x = Randn(g, 2, 8, 6, 6), w = Randn(g, 16, 8, 3, 3), b = Randn(g, 16);
        Tensor wt = Randn(g, 8, 4, 3, 3), bt = Randn(g, 4);
        Tensor full = Functional.Conv2d(x, w, b, padding: 1);
        Tensor fullT = Functional.ConvTranspose2d(x, wt, bt, stride: 2, padding: 1, outputPadding: 1);
        Tensor reduced, reducedT;
        using (new MatmulPrecisionScope())
        {
            reduced = Functional.Conv2d(x, w, b, padding: 1);
            reducedT = Functional.ConvTranspose2d(x, wt, bt, stride: 2, padding: 1, outputPadding: 1);
        }

        // On the CPU the bfloat16 input is laid out channels-last (NHWC) in the same copy, and the output stays NHWC.
        reduced.IsContiguous(MemoryFormat.ChannelsLast).Should().BeTrue();
        full.IsContiguous(MemoryFormat.ChannelsLast).Should().BeFalse("float32 convolutions keep the caller's layout");
        ShouldBitEqual(reduced, Functional.Conv2d(Bf(x).Contiguous(MemoryFormat.ChannelsLast), Bf(w), Bf(b), padding: 1).To(DType.Float32));
        ShouldDifferFromFloat32(reduced, full);
        if (Torch.Version.StartsWith("1.", StringComparison.Ordinal))
        {
            // libtorch 1.x rejects bfloat16 transposed convolutions on the CPU: they stay float32 (bit for bit).
            ShouldBitEqual(reducedT, fullT);
        }
        else
        {
            ShouldBitEqual(reducedT, Functional.ConvTranspose2d(Bf(x), Bf(wt), Bf(bt), stride: 2, padding: 1, outputPadding: 1).To(DType.Float32));
            ShouldDifferFromFloat32(reducedT, fullT);
        }
    }

    [Fact]
    public void Linear_matmul_bmm_and_einsum_compute_in_bfloat16_and_return_float32()
    {
        using var scope = new TensorScope();
        using var g = new Generator(12);
        Tensor x = Randn(g, 5, 32), w = Randn(g, 24, 32), b = Randn(g, 24);
        Tensor p = Randn(g, 3, 5, 32), q = Randn(g, 3, 32, 7);
        Tensor lin, mm, bmm, ein;
        using (new MatmulPrecisionScope())
        {
            lin = Functional.Linear(x, w, b);
            mm = x.MatMul(w.Transpose(0, 1));
            bmm = p.Bmm(q);
            ein = Tensor.Einsum("bij,bjk->bik", p, q);
        }

        ShouldBitEqual(lin, Functional.Linear(Bf(x), Bf(w), Bf(b)).To(DType.Float32));
        ShouldBitEqual(mm, Bf(x).MatMul(Bf(w).Transpose(0, 1)).To(DType.Float32));
        ShouldBitEqual(bmm, Bf(p).Bmm(Bf(q)).To(DType.Float32));
        ShouldBitEqual(ein, Tensor.Einsum("bij,bjk->bik", Bf(p), Bf(q)).To(DType.Float32));
        ShouldDifferFromFloat32(lin, Functional.Linear(x, w, b));
        ShouldDifferFromFloat32(bmm, p.Bmm(q));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Attention_runs_both_products_in_bfloat16_and_the_softmax_in_float32(bool boolMask, bool causal)
    {
        using var scope = new TensorScope();
        using var g = new Generator(13);
        Tensor q = Randn(g, 2, 3, 6, 8), k = Randn(g, 2, 3, 6, 8), v = Randn(g, 2, 3, 6, 8);
        Tensor? mask = boolMask ? Tensor.Rand([6, 6], g).Gt(0.3).LogicalOr(Tensor.Eye(6).Gt(0.5)) : null;
        Tensor reduced;
        using (new MatmulPrecisionScope())
        {
            reduced = Functional.ScaledDotProductAttention(q, k, v, mask, causal);
        }

        // softmax(q kᵀ/√d + mask) v with both products rounded to bfloat16 (Vaswani et al. 2017, eq. 1).
        Tensor scores = Bf(q).MatMul(Bf(k).Transpose(-2, -1)).To(DType.Float32).Mul(1 / Math.Sqrt(8));
        Tensor? keep = causal ? Tensor.Arange(6).Unsqueeze(0).Le(Tensor.Arange(6).Unsqueeze(1)) : mask;
        if (keep is not null) scores = scores.MaskedFill(keep.LogicalNot(), double.NegativeInfinity);
        Tensor expected = Bf(scores.Softmax(-1)).MatMul(Bf(v)).To(DType.Float32);
        ShouldBitEqual(reduced, expected);
        ShouldDifferFromFloat32(reduced, Functional.ScaledDotProductAttention(q, k, v, mask, causal));
    }

    [Fact]
    public void Gradients_reach_float32_leaves_through_the_bfloat16_product()
    {
        using var scope = new TensorScope();
        using var g = new Generator(14);
        Tensor x = Randn(g, 2, 4, 5, 5).RequiresGradInPlace(), w = Randn(g, 6, 4, 3, 3).RequiresGradInPlace();
        using (new MatmulPrecisionScope())
        {
            Functional.Conv2d(x, w, padding: 1).Square().Sum().Backward();
        }

        Tensor x2 = x.Detach().RequiresGradInPlace(), w2 = w.Detach().RequiresGradInPlace();
        Functional.Conv2d(x2.To(DType.BFloat16), w2.To(DType.BFloat16), padding: 1).To(DType.Float32).Square().Sum().Backward();
        x.Grad!.DType.Should().Be(DType.Float32);
        w.Grad!.DType.Should().Be(DType.Float32);
        ShouldBitEqual(x.Grad!, x2.Grad!);
        ShouldBitEqual(w.Grad!, w2.Grad!);
    }

    [Fact]
    public void Elementwise_ops_float64_operands_and_code_after_the_scope_are_untouched()
    {
        using var scope = new TensorScope();
        using var g = new Generator(15);
        Tensor a = Randn(g, 4, 4), b = Randn(g, 4, 4);
        Tensor a64 = a.To(DType.Float64), b64 = b.To(DType.Float64);
        Tensor sum, prod64;
        using (new MatmulPrecisionScope())
        {
            MatmulPrecisionScope.Current.Should().Be(DType.BFloat16);
            sum = a.Add(b).Mul(a);
            prod64 = a64.MatMul(b64);
        }

        MatmulPrecisionScope.Current.Should().BeNull();
        ShouldBitEqual(sum, a.Add(b).Mul(a));
        prod64.ToArray<double>().Should().Equal(a64.MatMul(b64).ToArray<double>());
        ShouldBitEqual(a.MatMul(b), a.MatMul(b));
        a.MatMul(b).ToArray<float>().Should().NotEqual(Bf(a).MatMul(Bf(b)).To(DType.Float32).ToArray<float>(), "float32 again after the scope");
    }

    [Fact]
    public void Scopes_nest_restore_the_outer_setting_and_belong_to_their_thread()
    {
        var outer = new MatmulPrecisionScope(DType.BFloat16);
        DType? seenElsewhere = DType.Float64;
        var other = new Thread(() => seenElsewhere = MatmulPrecisionScope.Current);
        other.Start();
        other.Join();
        seenElsewhere.Should().BeNull("the setting is per thread");
        using (new MatmulPrecisionScope(enabled: false))
        {
            MatmulPrecisionScope.Current.Should().BeNull();
            using (new MatmulPrecisionScope(DType.Float16))
            {
                MatmulPrecisionScope.Current.Should().Be(DType.Float16);
            }

            MatmulPrecisionScope.Current.Should().BeNull();
        }

        MatmulPrecisionScope.Current.Should().Be(DType.BFloat16);
        outer.Dispose();
        outer.Dispose();
        MatmulPrecisionScope.Current.Should().BeNull();
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    [InlineData(DType.Int64)]
    public void Dtypes_other_than_bfloat16_and_float16_are_rejected(DType dtype)
    {
        Action act = () => _ = new MatmulPrecisionScope(dtype);
        act.Should().Throw<ArgumentException>().WithMessage($"*bfloat16 or float16, not {dtype}*");
        MatmulPrecisionScope.Current.Should().BeNull();
    }
}
