using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Ops;

/// <summary>
/// A tensor combined with a number (<c>Add</c>/<c>Sub</c>/<c>Mul</c>/<c>Div</c>/<c>RSub</c> and their in-place forms): the
/// shim hands a CPU float32/float64 tensor the number as a 0-dim operand of its own dtype, so the result must be, bit for
/// bit, the IEEE operation with the number rounded once to that dtype (what libtorch's wrapped-number path computes), in
/// forward and backward, with ±inf where a float64 number overflows float32, and without libtorch's cast of the number.
/// Serial: one test reads the operator profile, which sees every thread.
/// </summary>
[Collection(SerialTests.Name)]
public class ScalarOperandTests
{
    private static readonly float[] Values =
        [0f, -0f, 1f, -1.5f, 3.1415927f, 1e-30f, -7.5e-39f /* subnormal */, 1e30f, -2.5e38f, 0.1f, 123456.79f, float.Epsilon];

    private static readonly double[] Numbers = [0.1, -0.3, 1.0 / 3.0, 2.0, -1e-7, 1e20, 5e-324, 0.0, -0.0];

    private static Tensor F32() => Tensor.FromArray(Values, Values.Length);

    private static float[] Host(Tensor t) => t.ToArray<float>();

    [Fact]
    public void Float32_results_are_the_ieee_operation_with_the_number_rounded_to_float32()
    {
        using var scope = new TensorScope();
        Tensor x = F32();
        foreach (double s in Numbers)
        {
            float n = (float)s;
            Expect(Host(x.Add(s)), v => v + n, $"x + {s}");
            Expect(Host(x.Sub(s)), v => v - n, $"x - {s}");
            Expect(Host(x.Mul(s)), v => v * n, $"x * {s}");
            Expect(Host(x.Div(s)), v => v / n, $"x / {s}");
            Expect(Host(x.RSub(s)), v => n - v, $"{s} - x");
            Expect(Host(x.Clone().AddInPlace(s)), v => v + n, $"x += {s}");
            Expect(Host(x.Clone().SubInPlace(s)), v => v - n, $"x -= {s}");
            Expect(Host(x.Clone().MulInPlace(s)), v => v * n, $"x *= {s}");
            Expect(Host(x.Clone().DivInPlace(s)), v => v / n, $"x /= {s}");
        }

        foreach (long k in new long[] { 3, -7, 1L << 40 })
        {
            float n = k;
            Expect(Host(x.Add(k)), v => v + n, $"x + {k}L");
            Expect(Host(x.Mul(k)), v => v * n, $"x * {k}L");
            Expect(Host(x.Div(k)), v => v / n, $"x / {k}L");
        }
    }

    [Fact]
    public void Float64_results_are_the_ieee_operation_with_the_number()
    {
        using var scope = new TensorScope();
        double[] values = Values.Select(v => (double)v * Math.PI).Append(1e300).Append(-4.9e-324).ToArray();
        Tensor x = Tensor.FromArray(values, values.Length);
        foreach (double s in Numbers)
        {
            ExpectBits(x.Mul(s).ToArray<double>(), values.Select(v => v * s), $"x * {s}");
            ExpectBits(x.Div(s).ToArray<double>(), values.Select(v => v / s), $"x / {s}");
            ExpectBits(x.Add(s).ToArray<double>(), values.Select(v => v + s), $"x + {s}");
            ExpectBits(x.RSub(s).ToArray<double>(), values.Select(v => s - v), $"{s} - x");
            ExpectBits(x.Clone().MulInPlace(s).ToArray<double>(), values.Select(v => v * s), $"x *= {s}");
        }
    }

    [Fact]
    public void A_float64_number_beyond_float32_range_rounds_to_infinity_as_libtorch_does()
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.FromArray(new[] { 1f, -2f, 0.5f }, 3);
        Host(x.Mul(1e300)).Should().Equal(float.PositiveInfinity, float.NegativeInfinity, float.PositiveInfinity);
        Host(x.Add(-1e39)).Should().OnlyContain(v => float.IsNegativeInfinity(v));
        Host(x.Div(1e300)).Should().Equal(0f, -0f, 0f);
        Host(x.Clone().MulInPlace(double.NegativeInfinity)).Should().Equal(float.NegativeInfinity, float.PositiveInfinity, float.NegativeInfinity);
        Host(x.Mul(double.NaN)).Should().OnlyContain(v => float.IsNaN(v));
    }

    [Fact]
    public void Gradients_through_a_number_are_the_number_rounded_to_float32()
    {
        using var scope = new TensorScope();
        foreach (double s in new[] { 0.1, -1.0 / 3.0, 7.0 })
        {
            Tensor x = Tensor.FromArray(new[] { 1f, -2f, 0.25f }, 3).RequiresGradInPlace();
            Tensor y = x.Mul(s).Add(s).Div(s).Sub(s).RSub(s);
            y.Sum().Backward();
            // d/dx of s − ((x·s + s)/s − s): the backward chain computes (−1 / s) · s in float32.
            float n = (float)s;
            float expected = (-1f / n) * n;
            Host(x.Grad!).Should().Equal(expected, expected, expected);

            Tensor z = Tensor.FromArray(new[] { 1f, -2f, 0.25f }, 3).RequiresGradInPlace();
            z.Mul(s).Sum().Backward();
            Host(z.Grad!).Should().Equal(n, n, n);
            Tensor w = Tensor.FromArray(new[] { 1f, -2f, 0.25f }, 3).RequiresGradInPlace();
            w.Div(s).Sum().Backward();
            Host(w.Grad!).Should().Equal(1f / n, 1f / n, 1f / n);
        }
    }

    [Fact]
    public void Other_dtypes_keep_libtorchs_promotion()
    {
        using var scope = new TensorScope();
        Tensor ints = Tensor.FromArray(new long[] { 1, 2, 3 }, 3);
        Tensor scaled = ints.Mul(2.5);
        scaled.DType.Should().Be(DType.Float32, "an integer tensor times a float number is a tensor of the default float dtype");
        scaled.ToArray<float>().Should().Equal(2.5f, 5f, 7.5f);
        ints.Add(2L).ToArray<long>().Should().Equal(3, 4, 5);
        ints.Div(2L).ToArray<float>().Should().Equal(0.5f, 1f, 1.5f);

        Tensor half = Tensor.FromArray(new[] { 1f, 3f, -0.5f }, 3).To(DType.BFloat16);
        Tensor h = half.Mul(0.1);
        h.DType.Should().Be(DType.BFloat16);
        h.To(DType.Float32).ToArray<float>().Should().Equal(0.10009765625f, 0.30078125f, -0.050048828125f);
    }

    [Fact]
    public void A_float32_product_with_a_number_runs_one_operator_and_no_cast()
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.Ones([4, 4]);
        OpProfileReport report;
        using (OpProfiler profiler = OpProfiler.Start())
        {
            x.Mul(0.5).AddInPlace(1.0).Div(3L);
            report = profiler.Stop();
        }

        report.Entries.Select(e => e.Name).Should().Contain(["aten::mul", "aten::add_", "aten::div"])
            .And.NotContain(["aten::_to_copy", "aten::copy_", "aten::to"], "the number is already a float32 operand");
    }

    private static void Expect(float[] actual, Func<float, float> op, string what) =>
        actual.Select(BitConverter.SingleToInt32Bits).Should().Equal(Values.Select(op).Select(BitConverter.SingleToInt32Bits), what);

    private static void ExpectBits(IEnumerable<double> actual, IEnumerable<double> expected, string what)
    {
        // NaN payloads aside, equal bits: same value, same sign of zero, same infinity.
        actual.Select(v => double.IsNaN(v) ? long.MinValue : BitConverter.DoubleToInt64Bits(v))
            .Should().Equal(expected.Select(v => double.IsNaN(v) ? long.MinValue : BitConverter.DoubleToInt64Bits(v)), what);
    }
}
