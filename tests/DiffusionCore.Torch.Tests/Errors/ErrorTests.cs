using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Tests.Infrastructure;
using FluentAssertions.Specialized;

namespace DiffusionCore.Torch.Tests.Errors;

/// <summary>libtorch failures arrive as typed .NET exceptions with libtorch's message and no C++ backtrace.</summary>
public class ErrorTests
{
    private static ExceptionAssertions<TException> ShouldFail<TException>(Action act, string messagePattern)
        where TException : Exception
    {
        ExceptionAssertions<TException> a = act.Should().Throw<TException>().WithMessage(messagePattern);
        a.Which.Message.Should().NotContain("Exception raised from").And.NotContain("frame #").And.NotContain("\n");
        return a;
    }

    [Fact]
    public void Broadcast_mismatch_is_a_shape_error()
    {
        using var scope = new TensorScope();
        ShouldFail<TorchShapeException>(() => _ = Tensor.Zeros([2, 3]) * Tensor.Zeros([2]),
            "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1")
            .Which.Kind.Should().Be(TorchErrorKind.Shape);
        ShouldFail<TorchShapeException>(() => Tensor.Zeros([3]).AddInPlace(Tensor.Zeros([2, 3])),
            "*output with shape [3] doesn't match the broadcast shape [2, 3]*");
    }

    [Fact]
    public void Matmul_and_bmm_size_mismatch_are_shape_errors()
    {
        using var scope = new TensorScope();
        ShouldFail<TorchShapeException>(() => _ = Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([4, 5])),
            "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
        ShouldFail<TorchShapeException>(() => _ = Tensor.Zeros([2, 2, 3]).Bmm(Tensor.Zeros([3, 3, 2])), "*batch*");
        ShouldFail<TorchShapeException>(() => _ = Functional.Linear(Tensor.Zeros([2, 3]), Tensor.Zeros([4, 5])), "*cannot be multiplied*");
    }

    [Fact]
    public void View_and_reshape_size_errors_are_shape_errors()
    {
        using var scope = new TensorScope();
        // libtorch 1.13 throws std::runtime_error here; the shim classifies it as a shape error.
        ShouldFail<TorchShapeException>(() => _ = Tensor.Zeros([2, 3]).View(5), "shape '[5]' is invalid for input of size 6");
        ShouldFail<TorchShapeException>(() => _ = Tensor.Zeros([2, 3]).Reshape(4, 2), "shape '[4, 2]' is invalid for input of size 6");
        ShouldFail<TorchShapeException>(() => _ = Tensor.Zeros([2, 3]).Transpose(0, 1).View(6), "view size is not compatible with input tensor's size and stride*Use .reshape(...) instead.");
        ShouldFail<TorchShapeException>(() => _ = Tensor.Zeros([2, 3]).Expand(4, 3), "The expanded size of the tensor (4) must match the existing size (2)*");
        ShouldFail<TorchShapeException>(() => _ = Tensor.Zeros([2, 3]).Reshape(-2, 3), "invalid shape dimension -2");
    }

    [Fact]
    public void Conv_channel_mismatch_is_a_shape_error_naming_both_channel_counts()
    {
        using var scope = new TensorScope();
        ShouldFail<TorchShapeException>(() => _ = Functional.Conv2d(Tensor.Zeros([1, 2, 5, 5]), Tensor.Zeros([4, 3, 3, 3])),
            "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 2, 5, 5] to have 3 channels, but got 2 channels instead");
        ShouldFail<TorchShapeException>(() => _ = Functional.GroupNorm(Tensor.Zeros([1, 3, 2, 2]), 2),
            "Expected number of channels in input to be divisible by num_groups*");
        ShouldFail<TorchShapeException>(() => _ = Tensor.Cat([Tensor.Zeros([2, 3]), Tensor.Zeros([2, 4])]),
            "Sizes of tensors must match except in dimension 0*");
    }

    [Fact]
    public void Invalid_dtype_combinations_are_dtype_errors()
    {
        using var scope = new TensorScope();
        ShouldFail<TorchDTypeException>(() => _ = Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([3, 2], DType.Float64)),
            "expected scalar type Float but found Double").Which.Kind.Should().Be(TorchErrorKind.Type);
        ShouldFail<TorchDTypeException>(() => _ = Tensor.Zeros([1, 2, 3]).Bmm(Tensor.Zeros([1, 3, 2], DType.Float64)), "*Float*Double*");
        ShouldFail<TorchDTypeException>(() => _ = Functional.Conv2d(Tensor.Zeros([1, 3, 5, 5]), Tensor.Zeros([4, 3, 3, 3], DType.Float64)), "*Float*Double*");
        ShouldFail<TorchDTypeException>(() => _ = Tensor.Zeros([2], DType.Bool) - Tensor.Zeros([2], DType.Bool),
            "Subtraction, the `-` operator, with two bool tensors is not supported*");
        ShouldFail<TorchDTypeException>(() => _ = -Tensor.Zeros([2], DType.Bool), "Negation, the `-` operator, on a bool tensor is not supported*");
        ShouldFail<TorchDTypeException>(() => Tensor.Zeros([2], DType.Int64).AddInPlace(Tensor.Zeros([2])),
            "result type Float can't be cast to the desired output type Long");
        ShouldFail<TorchDTypeException>(() => _ = Tensor.Where(Tensor.Zeros([2]), Tensor.Zeros([2]), Tensor.Zeros([2])),
            "where expected condition to be a boolean tensor*");
        ShouldFail<TorchDTypeException>(() => _ = Tensor.Zeros([3]).IndexSelect(0, Tensor.Zeros([2])), "*Expected dtype int32 or int64 for index*");
        ShouldFail<TorchDTypeException>(() => _ = Functional.Embedding(Tensor.Zeros([3]), Tensor.Zeros([4, 2])), "*'indices'*Long, Int*");
    }

    [Fact]
    public void Int64_plus_bool_is_valid_type_promotion()
    {
        using var scope = new TensorScope();
        Tensor r = Tensor.FromArray(new long[] { 1, 2 }) + Tensor.FromArray([true, false]);
        r.DType.Should().Be(DType.Int64);
        r.ToArray<long>().Should().Equal(2, 2);
        (Tensor.FromArray(new long[] { 1 }) + Tensor.FromArray([0.5f])).DType.Should().Be(DType.Float32);
    }

    [Fact]
    public void Missing_kernel_for_a_dtype_is_not_supported()
    {
        using var scope = new TensorScope();
        Action act = () => Tensor.Zeros([2], DType.Int64).Softmax(0);
        act.Should().Throw<NotSupportedException>().Which.Should().BeOfType<TorchNotSupportedException>()
            .Which.Message.Should().Be("\"softmax_lastdim_kernel_impl\" not implemented for 'Long'");
    }

    [Fact]
    public void Index_out_of_range_is_an_index_error()
    {
        using var scope = new TensorScope();
        ShouldFail<TorchIndexException>(() => _ = Tensor.Zeros([3]).Select(0, 5), "select(): index 5 out of range for tensor of size [3] at dimension 0")
            .Which.Kind.Should().Be(TorchErrorKind.Index);
        ShouldFail<TorchIndexException>(() => _ = Tensor.Zeros([3, 2])[3], "select(): index 3 out of range*");
        ShouldFail<TorchIndexException>(() => _ = Tensor.Zeros([3, 2])[-4], "select(): index -4 out of range*");
        ShouldFail<TorchIndexException>(() => _ = Tensor.Zeros([3]).Sum([2]), "Dimension out of range (expected to be in range of [-1, 0], but got 2)");
        ShouldFail<TorchIndexException>(() => _ = Tensor.Zeros([3]).IndexSelect(0, Tensor.FromArray(new long[] { 7 })), "index out of range in self");
        ShouldFail<TorchIndexException>(() => _ = Tensor.Zeros([3]).Gather(0, Tensor.FromArray(new long[] { 7 })), "index 7 is out of bounds for dimension 0 with size 3");
        ShouldFail<TorchIndexException>(() => _ = Functional.Embedding(Tensor.FromArray(new long[] { 4 }), Tensor.Zeros([4, 2])), "index out of range in self");
        Action size = () => Tensor.Zeros([3]).Size(1);
        size.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void ToArray_with_the_wrong_element_type_is_an_argument_error()
    {
        using var scope = new TensorScope();
        Tensor f = Tensor.Zeros([2, 3]);
        Action wrong = () => f.ToArray<double>();
        wrong.Should().Throw<ArgumentException>().WithMessage("The tensor holds Float32 but Double (Float64) was requested; convert first with To(Float64).");
        Action unsupported = () => f.ToArray<ulong>();
        unsupported.Should().Throw<ArgumentException>().WithMessage("UInt64 has no tensor dtype*");
        Action shortSpan = () => f.CopyTo<float>(new float[2]);
        shortSpan.Should().Throw<TorchArgumentException>().WithMessage("destination holds 8 bytes but the tensor has 24");
        Action fromShort = () => Tensor.FromArray(new float[5], 2, 3);
        fromShort.Should().Throw<ArgumentException>().WithMessage("5 values cannot fill shape [2, 3] (6 elements).*");
        Action bytes = () => Tensor.FromBytes(new byte[5], DType.Float32, [2]);
        bytes.Should().Throw<TorchArgumentException>().WithMessage("shape needs 8 bytes but 5 were given");
    }

    [Fact]
    public void A_multi_element_tensor_has_no_scalar_value()
    {
        using var scope = new TensorScope();
        ShouldFail<TorchArgumentException>(() => Tensor.Zeros([2]).ToDouble(), "a Tensor with 2 elements cannot be converted to Scalar");
    }

    [Fact]
    public void Negative_shapes_are_rejected_before_reaching_libtorch()
    {
        var makers = new (string Name, Action Act)[]
        {
            ("Zeros", () => Tensor.Zeros([2, -3])),
            ("Ones", () => Tensor.Ones([-1])),
            ("Empty", () => Tensor.Empty([-2])),
            ("Full", () => Tensor.Full([3, -1], 1)),
            ("Randn", () => Tensor.Randn([-4])),
            ("Rand", () => Tensor.Rand([1, -1])),
            ("RandInt", () => Tensor.RandInt(0, 2, [-1])),
            ("FromSpan", () => Tensor.FromSpan<float>([], [-1])),
            ("FromBytes", () => Tensor.FromBytes([], DType.UInt8, [-2])),
        };
        foreach ((string name, Action act) in makers)
        {
            act.Should().Throw<ArgumentException>(name).WithMessage("Shape [*-*] has a negative size; sizes must be >= 0.*")
                .Which.ParamName.Should().Be("shape");
        }

        Action linspace = () => Tensor.Linspace(0, 1, -1);
        linspace.Should().Throw<ArgumentOutOfRangeException>();
        Action eye = () => Tensor.Eye(-1);
        eye.Should().Throw<ArgumentOutOfRangeException>();
        Action perm = () => Tensor.RandPerm(-1);
        perm.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Using_a_disposed_tensor_names_the_scope_fix()
    {
        Tensor t;
        using (new TensorScope())
        {
            t = Tensor.Zeros([2]);
        }

        t.IsDisposed.Should().BeTrue();
        t.ToString().Should().Be("Tensor(disposed)");
        var uses = new (string Name, Action Act)[]
        {
            ("Shape", () => _ = t.Shape),
            ("Add", () => _ = t + 1.0),
            ("ToArray", () => t.ToArray<float>()),
            ("as argument", () => { using var s = new TensorScope(); _ = Tensor.Ones([2]) + t; }),
            ("Backward", () => t.Backward()),
        };
        foreach ((string name, Action act) in uses)
        {
            act.Should().Throw<ObjectDisposedException>(name)
                .WithMessage("*disposed, explicitly or by the TensorScope it was created in*MoveToOuterScope() or DetachFromScope()*")
                .Which.ObjectName.Should().Be(nameof(Tensor));
        }

        t.Dispose(); // disposing twice is harmless
    }

    [Fact]
    public void Null_tensor_arguments_are_argument_null_errors()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.Zeros([2]);
        Action add = () => a.Add(null!);
        add.Should().Throw<ArgumentNullException>().WithParameterName("other");
        Action conv = () => Functional.Conv2d(a, null!);
        conv.Should().Throw<ArgumentNullException>().WithParameterName("weight");
        Action cat = () => Tensor.Cat([]);
        cat.Should().Throw<ArgumentException>().WithMessage("Cat needs at least one tensor.*");
    }

    [Fact]
    public void Each_error_reports_its_own_message_and_a_success_in_between_clears_nothing_needed()
    {
        using var scope = new TensorScope();
        Action first = () => Tensor.Zeros([3]).Select(0, 9);
        first.Should().Throw<TorchIndexException>().WithMessage("*index 9*");
        _ = Tensor.Ones([2]) + 1.0;
        Action second = () => _ = Tensor.Zeros([2]).View(3);
        second.Should().Throw<TorchShapeException>().WithMessage("shape '[3]' is invalid for input of size 2");
    }

    [Fact]
    public void Error_messages_are_per_thread()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        void Worker(int n)
        {
            using var scope = new TensorScope();
            Tensor x = Tensor.Zeros([n]);
            for (int i = 0; i < 300; i++)
            {
                try
                {
                    x.Select(0, n + i);
                    failures.Add("no exception");
                }
                catch (TorchIndexException ex)
                {
                    string want = $"select(): index {n + i} out of range for tensor of size [{n}] at dimension 0";
                    if (ex.Message != want) failures.Add(ex.Message);
                }
            }
        }

        var threads = Enumerable.Range(1, 4).Select(n => new Thread(() => Worker(n))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        failures.Should().BeEmpty();
    }
}
