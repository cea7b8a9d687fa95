using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Dtypes;

/// <summary>Host round trips per dtype, conversions, memory formats and devices.</summary>
public class DTypeAndDeviceTests
{
    private static void RoundTrip<T>(T[] values, DType expected)
        where T : unmanaged
    {
        using var scope = new TensorScope();
        Tensor t = Tensor.FromArray(values, 1, values.Length);
        t.DType.Should().Be(expected);
        t.Shape.Should().Equal(1, values.Length);
        t.NumElements.Should().Be(values.Length);
        t.Device.Should().Be(Device.Cpu);
        t.ToArray<T>().Should().Equal(values);
        var span = new T[values.Length];
        t.Reshape(-1).CopyTo<T>(span);
        span.Should().Equal(values);
        expected.ClrType().Should().Be<T>();
        DTypeExtensions.FromClrType<T>().Should().Be(expected);
    }

    [Fact]
    public void Float32_round_trips_including_specials() =>
        RoundTrip([0f, -0f, 1.5f, float.MaxValue, float.Epsilon, float.NegativeInfinity, float.NaN], DType.Float32);

    [Fact]
    public void Float64_round_trips_including_specials() =>
        RoundTrip([0d, -1e-300, Math.PI, double.MaxValue, double.PositiveInfinity, double.NaN], DType.Float64);

    [Fact]
    public void Float16_round_trips_as_Half() =>
        RoundTrip([(Half)0, (Half)1.5, (Half)(-2.25), Half.MaxValue, Half.Epsilon, Half.NegativeInfinity], DType.Float16);

    [Fact]
    public void Int64_round_trips() => RoundTrip([0L, -1, long.MaxValue, long.MinValue, 42], DType.Int64);

    [Fact]
    public void Int32_round_trips() => RoundTrip([0, -1, int.MaxValue, int.MinValue, 42], DType.Int32);

    [Fact]
    public void Int16_round_trips() => RoundTrip([(short)0, (short)-1, short.MaxValue, short.MinValue], DType.Int16);

    [Fact]
    public void Int8_round_trips() => RoundTrip([(sbyte)0, (sbyte)-1, sbyte.MaxValue, sbyte.MinValue], DType.Int8);

    [Fact]
    public void UInt8_round_trips() => RoundTrip([(byte)0, (byte)1, (byte)128, byte.MaxValue], DType.UInt8);

    [Fact]
    public void Bool_round_trips() => RoundTrip([true, false, false, true, true], DType.Bool);

    [Fact]
    public void Element_sizes_match_libtorch()
    {
        using var scope = new TensorScope();
        foreach (DType d in Enum.GetValues<DType>())
        {
            Tensor t = Tensor.Zeros([3], d);
            t.DType.Should().Be(d);
            var bytes = new byte[3 * d.ElementSize()];
            t.CopyBytesTo(bytes); // the native side checks the byte count exactly
            bytes.Should().OnlyContain(b => b == 0);
        }
    }

    [Fact]
    public void BFloat16_travels_through_To_and_as_raw_bytes()
    {
        using var scope = new TensorScope();
        float[] exact = [1f, -2.5f, 0.15625f, 65536f, -0f, 3.0e38f];
        Tensor bf = Tensor.FromArray(exact).To(DType.BFloat16);
        bf.DType.Should().Be(DType.BFloat16);
        float[] back = bf.To(DType.Float32).ToArray<float>();
        back.Take(5).Should().Equal(exact.Take(5), "these values are exact in bfloat16");

        // bfloat16 is the upper half of the float32 bit pattern (round to nearest even).
        var raw = new byte[exact.Length * 2];
        bf.CopyBytesTo(raw);
        for (int i = 0; i < exact.Length; i++)
        {
            ushort expected = (ushort)(BitConverter.SingleToUInt32Bits(back[i]) >> 16);
            BitConverter.ToUInt16(raw, 2 * i).Should().Be(expected);
        }

        Tensor fromBytes = Tensor.FromBytes(raw, DType.BFloat16, [2, 3]);
        fromBytes.Shape.Should().Equal(2, 3);
        fromBytes.To(DType.Float32).ToArray<float>().Should().Equal(back);

        // 1 + 2⁻⁸ is halfway between two bfloat16 values and rounds to even (1).
        Tensor.FromArray([1.00390625f]).To(DType.BFloat16).To(DType.Float32).ToArray<float>().Should().Equal(1f);
        Action hostCopy = () => bf.ToArray<float>();
        hostCopy.Should().Throw<ArgumentException>().WithMessage("*BFloat16*To(Float32)*");
        Action clr = () => DType.BFloat16.ClrType();
        clr.Should().Throw<NotSupportedException>();
    }

    [Fact]
    public void To_converts_between_dtypes_like_torch()
    {
        using var scope = new TensorScope();
        Tensor f = Tensor.FromArray([-1.7f, 2.9f, 0f, 0.25f]);
        f.To(DType.Int64).ToArray<long>().Should().Equal(-1, 2, 0, 0);
        f.To(DType.Bool).ToArray<bool>().Should().Equal(true, true, false, true);
        f.To(DType.Float64).ToArray<double>().Should().Equal(-1.7f, 2.9f, 0f, 0.25f);
        f.To(DType.Float16).ToArray<Half>().Should().Equal((Half)(-1.7f), (Half)2.9f, (Half)0f, (Half)0.25f);
        Tensor.FromArray([true, false]).To(DType.Float32).ToArray<float>().Should().Equal(1f, 0f);
        Tensor.FromArray(new long[] { 300, -1 }).To(DType.UInt8).ToArray<byte>().Should().Equal(44, 255);
        Tensor.FromArray(new int[] { 7 }).To(DType.Float64).ToDouble().Should().Be(7);
    }

    [Fact]
    public void To_without_change_aliases_unless_copy_is_requested()
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.FromArray([1f, 2f]);
        Tensor same = x.To(DType.Float32);
        Tensor copied = x.To(null, DType.Float32, copy: true);
        x.AddInPlace(10.0);
        same.ToArray<float>().Should().Equal(11f, 12f);
        copied.ToArray<float>().Should().Equal(1f, 2f);
    }

    [Fact]
    public void Contiguous_ChannelsLast_changes_strides_not_values()
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.Arange(120, DType.Float32).Reshape(2, 3, 4, 5);
        x.Strides.Should().Equal(60, 20, 5, 1);
        x.IsContiguous().Should().BeTrue();
        x.IsContiguous(MemoryFormat.ChannelsLast).Should().BeFalse();

        Tensor cl = x.Contiguous(MemoryFormat.ChannelsLast);
        cl.Shape.Should().Equal(2, 3, 4, 5);
        cl.Strides.Should().Equal(60, 1, 15, 3);
        cl.IsContiguous(MemoryFormat.ChannelsLast).Should().BeTrue();
        cl.IsContiguous().Should().BeFalse();
        cl.ToArray<float>().Should().Equal(x.ToArray<float>(), "host copies are in logical row-major order");

        Tensor back = cl.Contiguous();
        back.Strides.Should().Equal(60, 20, 5, 1);
        Action preserve = () => cl.Contiguous(MemoryFormat.Preserve);
        preserve.Should().Throw<TorchArgumentException>().WithMessage("preserve memory format is unsupported by the contiguous operator");
        x.Transpose(1, 3).IsContiguous().Should().BeFalse();
    }

    [Fact]
    public void Creation_helpers_have_the_documented_dtypes_and_values()
    {
        using var scope = new TensorScope();
        Tensor.Arange(4).DType.Should().Be(DType.Int64);
        Tensor.Arange(0, 1, 0.25, DType.Float64).ToArray<double>().Should().Equal(0, 0.25, 0.5, 0.75);
        Tensor.Linspace(0, 1, 5).ToArray<float>().Should().Equal(0f, 0.25f, 0.5f, 0.75f, 1f);
        Tensor.Eye(2, DType.Int32).ToArray<int>().Should().Equal(1, 0, 0, 1);
        Tensor s = Tensor.Scalar(2.5);
        s.Dim.Should().Be(0);
        s.Shape.Should().BeEmpty();
        s.ToSingle().Should().Be(2.5f);
        Tensor.Full([2], 3, DType.Int16).ToArray<short>().Should().Equal(3, 3);
        Tensor.Zeros([0, 3]).NumElements.Should().Be(0);
        Tensor.Zeros([0, 3]).ToArray<float>().Should().BeEmpty();
    }

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Cuda)]
    public void With_cuda_the_devices_are_counted_and_cuda_tensors_round_trip()
    {
        Skip.IfNot(Torch.IsCudaAvailable, "Needs a CUDA device and a CUDA build of libtorch (build with LIBTORCH=<its folder>).");
        using var scope = new TensorScope();
        Torch.CudaDeviceCount.Should().BeGreaterThan(0);
        Tensor g = Tensor.Ones([2], device: Device.Cuda());
        g.Device.Should().Be(Device.Cuda(0));
        g.ToArray<float>().Should().Equal(1f, 1f);
    }

    [SkippableFact]
    public void Without_cuda_no_device_is_counted_and_cuda_tensors_fail_clearly()
    {
        Skip.If(Torch.IsCudaAvailable, "CUDA is available here; this test checks the failure without it.");
        using var scope = new TensorScope();
        Torch.CudaDeviceCount.Should().Be(0);
        Tensor.Zeros([2]).Device.Should().Be(Device.Cpu);
        var attempts = new (string Name, Action Act)[]
        {
            ("Zeros", () => Tensor.Zeros([2], device: Device.Cuda())),
            ("Full", () => Tensor.Full([2], 1, device: Device.Cuda(1))),
            ("To", () => Tensor.Zeros([2]).To(Device.Cuda())),
            ("Randn", () => Tensor.Randn([2], device: Device.Cuda())),
            ("RandPerm", () => Tensor.RandPerm(3, device: Device.Cuda())),
            ("Generator", () => new Generator(1, Device.Cuda()).Dispose()),
        };
        foreach ((string name, Action act) in attempts)
        {
            act.Should().Throw<TorchNotSupportedException>(name)
                .WithMessage("Device cuda:* was requested, but the linked libtorch * has no CUDA support*Device.Cpu*LIBTORCH*")
                .Which.Message.Length.Should().BeLessThan(400, "{0} must not dump libtorch's dispatcher table", name);
        }
    }

    [Theory]
    [InlineData("cpu", DeviceType.Cpu, -1)]
    [InlineData(" CPU ", DeviceType.Cpu, -1)]
    [InlineData("cuda", DeviceType.Cuda, 0)]
    [InlineData("cuda:0", DeviceType.Cuda, 0)]
    [InlineData("CUDA:3", DeviceType.Cuda, 3)]
    public void Device_Parse_accepts_torch_device_strings(string text, DeviceType type, int index)
    {
        Device d = Device.Parse(text);
        d.Type.Should().Be(type);
        d.Index.Should().Be(index);
        Device.Parse(d.ToString()).Should().Be(d);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda0")]
    [InlineData("")]
    public void Device_Parse_rejects_other_strings_with_the_accepted_forms(string text)
    {
        Action act = () => Device.Parse(text);
        act.Should().Throw<FormatException>().WithMessage("*\"cpu\", \"cuda\", \"cuda:N\" or \"meta\"*");
    }

    [Fact]
    public void Device_Parse_rejects_null_and_formats_devices()
    {
        Action act = () => Device.Parse(null!);
        act.Should().Throw<ArgumentNullException>();
        Device.Cpu.ToString().Should().Be("cpu");
        Device.Cuda(2).ToString().Should().Be("cuda:2");
        Device.Cuda().Should().Be(new Device(DeviceType.Cuda, 0));
    }
}
