using System.Diagnostics;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Torch.Tests.Dtypes;

public class MetaDeviceTests
{
    [Fact]
    public void Meta_tensors_have_shape_and_dtype_but_no_data()
    {
        using var scope = new TensorScope();
        Tensor t = Tensor.Randn([3, 4], new Generator(1), DType.Float32, Device.Meta);

        t.Device.Should().Be(Device.Meta);
        t.Shape.Should().Equal(3, 4);
        (t * 2 + 1).Shape.Should().Equal(3, 4);
        Action read = () => t.ToArray<float>();
        read.Should().Throw<Exception>();
    }

    [Fact]
    public void A_ten_billion_parameter_layer_builds_on_meta_without_allocating()
    {
        using var g = new Generator(1);
        long rssBefore = Process.GetCurrentProcess().WorkingSet64;

        using var huge = new Linear(100_000, 100_000, generator: g, device: Device.Meta);

        huge.NumParameters().Should().Be(100_000L * 100_000L + 100_000L);
        long grown = Process.GetCurrentProcess().WorkingSet64 - rssBefore;
        grown.Should().BeLessThan(64L << 20, "40 GB of float32 weights must not be allocated on the meta device");
    }

    [Fact]
    public void Device_parse_accepts_meta() => Device.Parse("meta").Should().Be(Device.Meta);
}
