using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

// Elementwise math: thin wrappers over dc_unary/dc_binary (shim op codes in native/dc_ops.cpp).
public sealed partial class Tensor
{
    /// <summary>Elementwise −x.</summary>
    public Tensor Neg() => Wrap(NativeMethods.dc_unary(0, Handle, out var r), r);

    /// <summary>Elementwise |x|.</summary>
    public Tensor Abs() => Wrap(NativeMethods.dc_unary(1, Handle, out var r), r);

    /// <summary>Elementwise √x.</summary>
    public Tensor Sqrt() => Wrap(NativeMethods.dc_unary(2, Handle, out var r), r);

    /// <summary>Elementwise 1/√x.</summary>
    public Tensor Rsqrt() => Wrap(NativeMethods.dc_unary(3, Handle, out var r), r);

    /// <summary>Elementwise eˣ.</summary>
    public Tensor Exp() => Wrap(NativeMethods.dc_unary(4, Handle, out var r), r);

    /// <summary>Elementwise natural logarithm.</summary>
    public Tensor Log() => Wrap(NativeMethods.dc_unary(5, Handle, out var r), r);

    /// <summary>Elementwise sine.</summary>
    public Tensor Sin() => Wrap(NativeMethods.dc_unary(6, Handle, out var r), r);

    /// <summary>Elementwise cosine.</summary>
    public Tensor Cos() => Wrap(NativeMethods.dc_unary(7, Handle, out var r), r);

    /// <summary>Elementwise hyperbolic tangent.</summary>
    public Tensor Tanh() => Wrap(NativeMethods.dc_unary(8, Handle, out var r), r);

    /// <summary>Elementwise logistic sigmoid.</summary>
    public Tensor Sigmoid() => Wrap(NativeMethods.dc_unary(9, Handle, out var r), r);

    /// <summary>Elementwise x·sigmoid(x).</summary>
    public Tensor Silu() => Wrap(NativeMethods.dc_unary(10, Handle, out var r), r);

    /// <summary>Elementwise max(x, 0).</summary>
    public Tensor Relu() => Wrap(NativeMethods.dc_unary(11, Handle, out var r), r);

    /// <summary>Elementwise sign.</summary>
    public Tensor Sign() => Wrap(NativeMethods.dc_unary(12, Handle, out var r), r);

    /// <summary>Elementwise x².</summary>
    public Tensor Square() => Wrap(NativeMethods.dc_unary(13, Handle, out var r), r);

    /// <summary>Elementwise 1/x.</summary>
    public Tensor Reciprocal() => Wrap(NativeMethods.dc_unary(14, Handle, out var r), r);

    /// <summary>Elementwise floor.</summary>
    public Tensor Floor() => Wrap(NativeMethods.dc_unary(15, Handle, out var r), r);

    /// <summary>Elementwise round half to even.</summary>
    public Tensor Round() => Wrap(NativeMethods.dc_unary(16, Handle, out var r), r);

    /// <summary>Elementwise error function.</summary>
    public Tensor Erf() => Wrap(NativeMethods.dc_unary(17, Handle, out var r), r);

    /// <summary>Elementwise ln(1+x).</summary>
    public Tensor Log1p() => Wrap(NativeMethods.dc_unary(18, Handle, out var r), r);

    /// <summary>Elementwise eˣ−1.</summary>
    public Tensor Expm1() => Wrap(NativeMethods.dc_unary(19, Handle, out var r), r);

    /// <summary>Elementwise true where finite.</summary>
    public Tensor IsFinite() => Wrap(NativeMethods.dc_unary(20, Handle, out var r), r);

    /// <summary>Elementwise true where NaN.</summary>
    public Tensor IsNan() => Wrap(NativeMethods.dc_unary(21, Handle, out var r), r);

    /// <summary>Elementwise logical not.</summary>
    public Tensor LogicalNot() => Wrap(NativeMethods.dc_unary(22, Handle, out var r), r);

    /// <summary>Elementwise a copy with its own storage (differentiable).</summary>
    public Tensor Clone() => Wrap(NativeMethods.dc_unary(23, Handle, out var r), r);

    /// <summary>Elementwise ceiling.</summary>
    public Tensor Ceil() => Wrap(NativeMethods.dc_unary(24, Handle, out var r), r);

    /// <summary>Elementwise true where ±inf.</summary>
    public Tensor IsInf() => Wrap(NativeMethods.dc_unary(25, Handle, out var r), r);

    /// <summary>Elementwise base-2 logarithm.</summary>
    public Tensor Log2() => Wrap(NativeMethods.dc_unary(26, Handle, out var r), r);

    /// <summary>Elementwise truncation toward zero.</summary>
    public Tensor Trunc() => Wrap(NativeMethods.dc_unary(27, Handle, out var r), r);

    /// <summary>Elementwise arc tangent.</summary>
    public Tensor Atan() => Wrap(NativeMethods.dc_unary(28, Handle, out var r), r);

    /// <summary>In-place <see cref="Neg()"/>; returns this tensor.</summary>
    public Tensor NegInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(0, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Abs()"/>; returns this tensor.</summary>
    public Tensor AbsInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(1, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Sqrt()"/>; returns this tensor.</summary>
    public Tensor SqrtInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(2, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Rsqrt()"/>; returns this tensor.</summary>
    public Tensor RsqrtInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(3, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Exp()"/>; returns this tensor.</summary>
    public Tensor ExpInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(4, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Log()"/>; returns this tensor.</summary>
    public Tensor LogInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(5, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Sin()"/>; returns this tensor.</summary>
    public Tensor SinInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(6, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Cos()"/>; returns this tensor.</summary>
    public Tensor CosInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(7, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Tanh()"/>; returns this tensor.</summary>
    public Tensor TanhInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(8, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Sigmoid()"/>; returns this tensor.</summary>
    public Tensor SigmoidInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(9, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Silu()"/>; returns this tensor.</summary>
    public Tensor SiluInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(10, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Relu()"/>; returns this tensor.</summary>
    public Tensor ReluInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(11, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Square()"/>; returns this tensor.</summary>
    public Tensor SquareInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(13, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Reciprocal()"/>; returns this tensor.</summary>
    public Tensor ReciprocalInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(14, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Floor()"/>; returns this tensor.</summary>
    public Tensor FloorInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(15, Handle));
        return this;
    }

    /// <summary>In-place <see cref="Round()"/>; returns this tensor.</summary>
    public Tensor RoundInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(16, Handle));
        return this;
    }

    /// <summary>Sets every element to zero in place; returns this tensor.</summary>
    public Tensor ZeroInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_unary_(99, Handle));
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/> in place; returns this tensor.</summary>
    public Tensor FillInPlace(double value)
    {
        NativeStatus.Check(NativeMethods.dc_binary_scalar_(98, Handle, value, 0));
        return this;
    }

    /// <summary>Elementwise a + b with broadcasting.</summary>
    public Tensor Add(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(0, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise a − b with broadcasting.</summary>
    public Tensor Sub(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(1, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise a · b with broadcasting.</summary>
    public Tensor Mul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(2, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise a / b (true division) with broadcasting.</summary>
    public Tensor Div(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(3, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise aᵇ with broadcasting.</summary>
    public Tensor Pow(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(4, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise elementwise maximum with broadcasting.</summary>
    public Tensor Maximum(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(5, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise elementwise minimum with broadcasting.</summary>
    public Tensor Minimum(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(6, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise a == b with broadcasting.</summary>
    public Tensor Eq(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(7, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise a != b with broadcasting.</summary>
    public Tensor Ne(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(8, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise a &lt; b with broadcasting.</summary>
    public Tensor Lt(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(9, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise a &lt;= b with broadcasting.</summary>
    public Tensor Le(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(10, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise a &gt; b with broadcasting.</summary>
    public Tensor Gt(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(11, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise a &gt;= b with broadcasting.</summary>
    public Tensor Ge(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(12, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise atan2(a, b) with broadcasting.</summary>
    public Tensor Atan2(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(13, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise Python-style remainder with broadcasting.</summary>
    public Tensor Remainder(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(14, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise logical and with broadcasting.</summary>
    public Tensor LogicalAnd(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(15, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise logical or with broadcasting.</summary>
    public Tensor LogicalOr(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(16, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise floor(a / b) with broadcasting.</summary>
    public Tensor FloorDivide(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(17, Handle, other.Handle, out var r), r);
    }

    /// <summary>Elementwise C-style remainder with broadcasting.</summary>
    public Tensor Fmod(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_binary(19, Handle, other.Handle, out var r), r);
    }

    /// <summary><see cref="Add(Tensor)"/> with a scalar operand.</summary>
    public Tensor Add(double value) => Wrap(NativeMethods.dc_binary_scalar(0, Handle, value, 0, out var r), r);

    /// <summary><see cref="Add(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Add(long value) => Wrap(NativeMethods.dc_binary_scalar(0, Handle, value, 1, out var r), r);

    /// <summary><see cref="Sub(Tensor)"/> with a scalar operand.</summary>
    public Tensor Sub(double value) => Wrap(NativeMethods.dc_binary_scalar(1, Handle, value, 0, out var r), r);

    /// <summary><see cref="Sub(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Sub(long value) => Wrap(NativeMethods.dc_binary_scalar(1, Handle, value, 1, out var r), r);

    /// <summary><see cref="Mul(Tensor)"/> with a scalar operand.</summary>
    public Tensor Mul(double value) => Wrap(NativeMethods.dc_binary_scalar(2, Handle, value, 0, out var r), r);

    /// <summary><see cref="Mul(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Mul(long value) => Wrap(NativeMethods.dc_binary_scalar(2, Handle, value, 1, out var r), r);

    /// <summary><see cref="Div(Tensor)"/> with a scalar operand.</summary>
    public Tensor Div(double value) => Wrap(NativeMethods.dc_binary_scalar(3, Handle, value, 0, out var r), r);

    /// <summary><see cref="Div(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Div(long value) => Wrap(NativeMethods.dc_binary_scalar(3, Handle, value, 1, out var r), r);

    /// <summary><see cref="Pow(Tensor)"/> with a scalar operand.</summary>
    public Tensor Pow(double value) => Wrap(NativeMethods.dc_binary_scalar(4, Handle, value, 0, out var r), r);

    /// <summary><see cref="Pow(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Pow(long value) => Wrap(NativeMethods.dc_binary_scalar(4, Handle, value, 1, out var r), r);

    /// <summary><see cref="Maximum(Tensor)"/> with a scalar operand.</summary>
    public Tensor Maximum(double value) => Wrap(NativeMethods.dc_binary_scalar(5, Handle, value, 0, out var r), r);

    /// <summary><see cref="Maximum(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Maximum(long value) => Wrap(NativeMethods.dc_binary_scalar(5, Handle, value, 1, out var r), r);

    /// <summary><see cref="Minimum(Tensor)"/> with a scalar operand.</summary>
    public Tensor Minimum(double value) => Wrap(NativeMethods.dc_binary_scalar(6, Handle, value, 0, out var r), r);

    /// <summary><see cref="Minimum(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Minimum(long value) => Wrap(NativeMethods.dc_binary_scalar(6, Handle, value, 1, out var r), r);

    /// <summary><see cref="Eq(Tensor)"/> with a scalar operand.</summary>
    public Tensor Eq(double value) => Wrap(NativeMethods.dc_binary_scalar(7, Handle, value, 0, out var r), r);

    /// <summary><see cref="Eq(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Eq(long value) => Wrap(NativeMethods.dc_binary_scalar(7, Handle, value, 1, out var r), r);

    /// <summary><see cref="Ne(Tensor)"/> with a scalar operand.</summary>
    public Tensor Ne(double value) => Wrap(NativeMethods.dc_binary_scalar(8, Handle, value, 0, out var r), r);

    /// <summary><see cref="Ne(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Ne(long value) => Wrap(NativeMethods.dc_binary_scalar(8, Handle, value, 1, out var r), r);

    /// <summary><see cref="Lt(Tensor)"/> with a scalar operand.</summary>
    public Tensor Lt(double value) => Wrap(NativeMethods.dc_binary_scalar(9, Handle, value, 0, out var r), r);

    /// <summary><see cref="Lt(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Lt(long value) => Wrap(NativeMethods.dc_binary_scalar(9, Handle, value, 1, out var r), r);

    /// <summary><see cref="Le(Tensor)"/> with a scalar operand.</summary>
    public Tensor Le(double value) => Wrap(NativeMethods.dc_binary_scalar(10, Handle, value, 0, out var r), r);

    /// <summary><see cref="Le(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Le(long value) => Wrap(NativeMethods.dc_binary_scalar(10, Handle, value, 1, out var r), r);

    /// <summary><see cref="Gt(Tensor)"/> with a scalar operand.</summary>
    public Tensor Gt(double value) => Wrap(NativeMethods.dc_binary_scalar(11, Handle, value, 0, out var r), r);

    /// <summary><see cref="Gt(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Gt(long value) => Wrap(NativeMethods.dc_binary_scalar(11, Handle, value, 1, out var r), r);

    /// <summary><see cref="Ge(Tensor)"/> with a scalar operand.</summary>
    public Tensor Ge(double value) => Wrap(NativeMethods.dc_binary_scalar(12, Handle, value, 0, out var r), r);

    /// <summary><see cref="Ge(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Ge(long value) => Wrap(NativeMethods.dc_binary_scalar(12, Handle, value, 1, out var r), r);

    /// <summary><see cref="Remainder(Tensor)"/> with a scalar operand.</summary>
    public Tensor Remainder(double value) => Wrap(NativeMethods.dc_binary_scalar(14, Handle, value, 0, out var r), r);

    /// <summary><see cref="Remainder(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Remainder(long value) => Wrap(NativeMethods.dc_binary_scalar(14, Handle, value, 1, out var r), r);

    /// <summary><see cref="FloorDivide(Tensor)"/> with a scalar operand.</summary>
    public Tensor FloorDivide(double value) => Wrap(NativeMethods.dc_binary_scalar(17, Handle, value, 0, out var r), r);

    /// <summary><see cref="FloorDivide(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor FloorDivide(long value) => Wrap(NativeMethods.dc_binary_scalar(17, Handle, value, 1, out var r), r);

    /// <summary><see cref="Fmod(Tensor)"/> with a scalar operand.</summary>
    public Tensor Fmod(double value) => Wrap(NativeMethods.dc_binary_scalar(19, Handle, value, 0, out var r), r);

    /// <summary><see cref="Fmod(Tensor)"/> with an integer scalar operand (keeps integer dtypes).</summary>
    public Tensor Fmod(long value) => Wrap(NativeMethods.dc_binary_scalar(19, Handle, value, 1, out var r), r);

    /// <summary>In-place <see cref="Add(Tensor)"/>; returns this tensor.</summary>
    public Tensor AddInPlace(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeStatus.Check(NativeMethods.dc_binary_(0, Handle, other.Handle));
        return this;
    }

    /// <summary>In-place <see cref="Add(double)"/>; returns this tensor.</summary>
    public Tensor AddInPlace(double value)
    {
        NativeStatus.Check(NativeMethods.dc_binary_scalar_(0, Handle, value, 0));
        return this;
    }

    /// <summary>In-place <see cref="Sub(Tensor)"/>; returns this tensor.</summary>
    public Tensor SubInPlace(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeStatus.Check(NativeMethods.dc_binary_(1, Handle, other.Handle));
        return this;
    }

    /// <summary>In-place <see cref="Sub(double)"/>; returns this tensor.</summary>
    public Tensor SubInPlace(double value)
    {
        NativeStatus.Check(NativeMethods.dc_binary_scalar_(1, Handle, value, 0));
        return this;
    }

    /// <summary>In-place <see cref="Mul(Tensor)"/>; returns this tensor.</summary>
    public Tensor MulInPlace(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeStatus.Check(NativeMethods.dc_binary_(2, Handle, other.Handle));
        return this;
    }

    /// <summary>In-place <see cref="Mul(double)"/>; returns this tensor.</summary>
    public Tensor MulInPlace(double value)
    {
        NativeStatus.Check(NativeMethods.dc_binary_scalar_(2, Handle, value, 0));
        return this;
    }

    /// <summary>In-place <see cref="Div(Tensor)"/>; returns this tensor.</summary>
    public Tensor DivInPlace(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeStatus.Check(NativeMethods.dc_binary_(3, Handle, other.Handle));
        return this;
    }

    /// <summary>In-place <see cref="Div(double)"/>; returns this tensor.</summary>
    public Tensor DivInPlace(double value)
    {
        NativeStatus.Check(NativeMethods.dc_binary_scalar_(3, Handle, value, 0));
        return this;
    }

    /// <summary>In-place <see cref="Pow(Tensor)"/>; returns this tensor.</summary>
    public Tensor PowInPlace(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeStatus.Check(NativeMethods.dc_binary_(4, Handle, other.Handle));
        return this;
    }

    /// <summary>In-place <see cref="Pow(double)"/>; returns this tensor.</summary>
    public Tensor PowInPlace(double value)
    {
        NativeStatus.Check(NativeMethods.dc_binary_scalar_(4, Handle, value, 0));
        return this;
    }

    /// <summary>value − this.</summary>
    public Tensor RSub(double value) => Wrap(NativeMethods.dc_binary_scalar(18, Handle, value, 0, out var r), r);

    /// <summary>value / this.</summary>
    public Tensor RDiv(double value) => Wrap(NativeMethods.dc_binary_scalar(20, Handle, value, 0, out var r), r);

    /// <summary>value ^ this.</summary>
    public Tensor RPow(double value) => Wrap(NativeMethods.dc_binary_scalar(21, Handle, value, 0, out var r), r);

    /// <summary>this + alpha·other (torch.add with alpha).</summary>
    public Tensor Add(Tensor other, double alpha)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_add_scaled(Handle, other.Handle, alpha, out var r), r);
    }

    /// <summary>this += alpha·other in place; returns this tensor.</summary>
    public Tensor AddInPlace(Tensor other, double alpha)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeStatus.Check(NativeMethods.dc_add_scaled_(Handle, other.Handle, alpha));
        return this;
    }

    /// <summary>this += value·t1·t2 in place (torch.addcmul_); returns this tensor.</summary>
    public Tensor AddcmulInPlace(Tensor t1, Tensor t2, double value = 1)
    {
        ArgumentNullException.ThrowIfNull(t1);
        ArgumentNullException.ThrowIfNull(t2);
        NativeStatus.Check(NativeMethods.dc_addcmul_(Handle, t1.Handle, t2.Handle, value));
        return this;
    }

    /// <summary>this += value·t1/t2 in place (torch.addcdiv_); returns this tensor.</summary>
    public Tensor AddcdivInPlace(Tensor t1, Tensor t2, double value = 1)
    {
        ArgumentNullException.ThrowIfNull(t1);
        ArgumentNullException.ThrowIfNull(t2);
        NativeStatus.Check(NativeMethods.dc_addcdiv_(Handle, t1.Handle, t2.Handle, value));
        return this;
    }

    /// <summary>Clamps into [min, max]; either bound may be null (torch.clamp).</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(NativeMethods.dc_clamp(Handle, min ?? 0, max ?? 0, min.HasValue ? 1 : 0, max.HasValue ? 1 : 0, out var r), r);

    /// <summary>In-place <see cref="Clamp"/>; returns this tensor.</summary>
    public Tensor ClampInPlace(double? min = null, double? max = null)
    {
        NativeStatus.Check(NativeMethods.dc_clamp_(Handle, min ?? 0, max ?? 0, min.HasValue ? 1 : 0, max.HasValue ? 1 : 0));
        return this;
    }

    /// <summary>
    /// Clamps into [<paramref name="min"/>, <paramref name="max"/>] with libtorch's <c>hardtanh</c>: the same values as
    /// <see cref="Clamp"/>, but the backward is one fused kernel instead of clamp's four comparisons and selects, and
    /// the gradient is 0 where the input lies at or beyond a bound (clamp passes it at exactly the bound). Used for
    /// activation clipping in training, e.g. EDM2's ±256 (Karras et al. 2024, Appendix B). libtorch 1.13's CPU backward
    /// exists for float32 and float64 only: backpropagating through a bfloat16 or float16 result on the CPU throws
    /// <see cref="TorchNotSupportedException"/>; use <see cref="Clamp"/> there.
    /// </summary>
    /// <exception cref="ArgumentException">When <paramref name="min"/> &gt; <paramref name="max"/> or either is NaN.</exception>
    public Tensor Hardtanh(double min, double max)
    {
        if (!(min <= max))
        {
            throw new ArgumentException($"Hardtanh needs min ≤ max; got min = {min}, max = {max}.", nameof(min));
        }

        return Wrap(NativeMethods.dc_hardtanh(Handle, min, max, out var r), r);
    }

    /// <summary>Picks <paramref name="whenTrue"/> where <paramref name="condition"/> holds, else <paramref name="whenFalse"/> (torch.where).</summary>
    public static Tensor Where(Tensor condition, Tensor whenTrue, Tensor whenFalse)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(whenTrue);
        ArgumentNullException.ThrowIfNull(whenFalse);
        return Wrap(NativeMethods.dc_where(condition.Handle, whenTrue.Handle, whenFalse.Handle, out var r), r);
    }

    /// <summary>this + weight·(end − this) (torch.lerp).</summary>
    public Tensor Lerp(Tensor end, double weight)
    {
        ArgumentNullException.ThrowIfNull(end);
        return Wrap(NativeMethods.dc_lerp(Handle, end.Handle, TensorHandle.None, weight, out var r), r);
    }

    /// <summary>this + weight·(end − this) with a tensor weight (torch.lerp).</summary>
    public Tensor Lerp(Tensor end, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(end);
        ArgumentNullException.ThrowIfNull(weight);
        return Wrap(NativeMethods.dc_lerp(Handle, end.Handle, weight.Handle, 0, out var r), r);
    }

    /// <summary>In-place <see cref="Lerp(Tensor, double)"/>; returns this tensor.</summary>
    public Tensor LerpInPlace(Tensor end, double weight)
    {
        ArgumentNullException.ThrowIfNull(end);
        NativeStatus.Check(NativeMethods.dc_lerp_(Handle, end.Handle, TensorHandle.None, weight));
        return this;
    }

    /// <summary>In-place <see cref="Lerp(Tensor, Tensor)"/>; returns this tensor.</summary>
    public Tensor LerpInPlace(Tensor end, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(end);
        ArgumentNullException.ThrowIfNull(weight);
        NativeStatus.Check(NativeMethods.dc_lerp_(Handle, end.Handle, weight.Handle, 0));
        return this;
    }

    /// <summary>Replaces NaN, +inf and −inf (defaults: 0, the dtype's largest and smallest finite values; torch.nan_to_num).</summary>
    public Tensor NanToNum(double nan = 0, double? posInf = null, double? negInf = null) =>
        Wrap(NativeMethods.dc_nan_to_num(Handle, nan, posInf ?? double.NaN, negInf ?? double.NaN, 0, out var r), r);

    /// <summary>In-place <see cref="NanToNum"/>; returns this tensor.</summary>
    public Tensor NanToNumInPlace(double nan = 0, double? posInf = null, double? negInf = null)
    {
        NativeStatus.Check(NativeMethods.dc_nan_to_num(Handle, nan, posInf ?? double.NaN, negInf ?? double.NaN, 1, out var r));
        r.Dispose();
        return this;
    }

    /// <summary>Copies <paramref name="source"/> into this tensor in place (broadcasting, converting dtype/device; torch.Tensor.copy_).</summary>
    public Tensor CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        NativeStatus.Check(NativeMethods.dc_copy_(Handle, source.Handle));
        return this;
    }

    /// <summary>Sets elements where <paramref name="mask"/> is true to <paramref name="value"/> (torch.masked_fill).</summary>
    public Tensor MaskedFill(Tensor mask, double value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return Wrap(NativeMethods.dc_masked_fill(Handle, mask.Handle, value, 0, out var r), r);
    }

    /// <summary>In-place <see cref="MaskedFill"/>; returns this tensor.</summary>
    public Tensor MaskedFillInPlace(Tensor mask, double value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        NativeStatus.Check(NativeMethods.dc_masked_fill(Handle, mask.Handle, value, 1, out var r));
        r.Dispose();
        return this;
    }

    /// <summary>GELU, exact (erf) or with the tanh approximation.</summary>
    public Tensor Gelu(bool tanhApproximation = false) => Wrap(NativeMethods.dc_gelu(Handle, tanhApproximation ? 1 : 0, out var r), r);

    /// <summary>Softmax along a dimension.</summary>
    public Tensor Softmax(long dim) => Wrap(NativeMethods.dc_softmax(Handle, dim, 0, out var r), r);

    /// <summary>Log-softmax along a dimension.</summary>
    public Tensor LogSoftmax(long dim) => Wrap(NativeMethods.dc_softmax(Handle, dim, 1, out var r), r);

    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);

    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => a.Add(b);

    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => b.Add(a);

    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);

    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);

    /// <summary>Scalar minus tensor.</summary>
    public static Tensor operator -(double a, Tensor b) => b.RSub(a);

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);

    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);

    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);

    /// <summary>Elementwise true division.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);

    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.Div(b);

    /// <summary>Scalar divided by tensor.</summary>
    public static Tensor operator /(double a, Tensor b) => b.RDiv(a);
}
