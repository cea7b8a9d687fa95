using DiffusionCore.Denoisers;
using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

public class DenoiserContractTests
{
    /// <summary>F(z; c) = 2z + c (broadcast per sample): easy to check by hand.</summary>
    private sealed class AffineNetwork : IDiffusionNetwork
    {
        public int Calls { get; private set; }

        public Conditioning? LastConditioning { get; private set; }

        public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning)
        {
            Calls++;
            LastConditioning = conditioning;
            return (input * 2) + PerSample.Broadcastable(noiseLabels, input.Dim);
        }
    }

    private sealed class WrongShapeNetwork : IDiffusionNetwork
    {
        public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning) => input.Narrow(1, 0, 1);
    }

    [Fact]
    public void Preconditioned_denoiser_applies_equation_7()
    {
        using var scope = new TensorScope();
        var net = new AffineNetwork();
        var p = new EdmPreconditioning(0.5);
        var d = new PreconditionedDenoiser(net, p, new PreconditionedDenoiserOptions { ComputeDType = DType.Float64 });
        double[] xs = [0.3, -1.2, 2.0, 0.5];
        double[] sigmas = [0.1, 2.5];
        Conditioning c = Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 1, 2 }));
        Tensor result = d.Denoise(Tensor.FromArray(xs, 2, 2), Tensor.FromArray(sigmas), c);
        result.DType.Should().Be(DType.Float64);
        double[] r = result.ToArray<double>();
        for (int i = 0; i < 2; i++)
        {
            double s = sigmas[i];
            double cSkip = 0.25 / ((s * s) + 0.25), cOut = s * 0.5 / Math.Sqrt((s * s) + 0.25), cIn = 1 / Math.Sqrt((s * s) + 0.25), cNoise = Math.Log(s) / 4;
            for (int j = 0; j < 2; j++)
            {
                double x = xs[(2 * i) + j];
                r[(2 * i) + j].Should().BeApproximately((cSkip * x) + (cOut * ((2 * cIn * x) + cNoise)), 1e-12);
            }
        }

        net.LastConditioning.Should().BeSameAs(c);
    }

    [Fact]
    public void Float32_network_precision_is_the_default_and_output_follows_x()
    {
        using var scope = new TensorScope();
        var d = new PreconditionedDenoiser(new AffineNetwork(), new VpPreconditioning());
        Tensor x = Tensor.Ones([2, 3], DType.Float64);
        d.Denoise(x, Tensor.Full([2], 1.0, DType.Float64)).DType.Should().Be(DType.Float64);
    }

    [Fact]
    public void Bad_shapes_raise_clear_errors()
    {
        using var scope = new TensorScope();
        var d = new PreconditionedDenoiser(new AffineNetwork(), new EdmPreconditioning());
        Tensor x = Tensor.Zeros([2, 3]);
        FluentActions.Invoking(() => d.Denoise(x, Tensor.Full([3], 1.0), Conditioning.None)).Should().Throw<ArgumentException>().WithMessage("*one noise level per sample, shape [2]*Tensor.Full*");
        FluentActions.Invoking(() => d.Denoise(x, Tensor.Full([2], 1.0), Conditioning.FromClassLabels(Tensor.Zeros([5], DType.Int64)))).Should().Throw<ArgumentException>().WithMessage("*'class_labels'*2 samples*");
        FluentActions.Invoking(() => d.Denoise(Tensor.Zeros([2, 3], DType.Int64), Tensor.Full([2], 1.0), Conditioning.None)).Should().Throw<ArgumentException>().WithMessage("*floating point*");
        var wrong = new PreconditionedDenoiser(new WrongShapeNetwork(), new EdmPreconditioning());
        FluentActions.Invoking(() => wrong.Denoise(x, Tensor.Full([2], 1.0), Conditioning.None)).Should().Throw<InvalidOperationException>().WithMessage("*WrongShapeNetwork*[2, 1]*");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_noise_level_that_is_not_positive_and_finite_is_refused_naming_the_sample(double bad)
    {
        using var scope = new TensorScope();
        var network = new AffineNetwork();
        var d = new PreconditionedDenoiser(network, new EdmPreconditioning());
        Tensor x = Tensor.Zeros([3, 2]);
        Tensor sigma = Tensor.FromArray(new float[] { 1f, (float)bad, 2f }, 3);
        FluentActions.Invoking(() => d.Denoise(x, sigma, Conditioning.None)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"Noise levels must be positive and finite; sample 1 has σ = {((double)(float)bad).ToString(System.Globalization.CultureInfo.InvariantCulture)}*")
            .Which.ParamName.Should().Be("sigma");
        network.Calls.Should().Be(0, "nothing is evaluated");
        d.Denoise(x, Tensor.Full([3], 1e-30), Conditioning.None).IsFinite().All().ToBoolean().Should().BeTrue("a tiny positive σ is valid");
    }

    [Fact]
    public void Learned_variance_channels_are_discarded_on_request()
    {
        using var scope = new TensorScope();
        var net = new DoublingChannels();
        var d = new PreconditionedDenoiser(net, new EdmPreconditioning(), new PreconditionedDenoiserOptions { DiscardLearnedVariance = true });
        Tensor x = Tensor.Ones([2, 3, 4, 4]);
        d.Denoise(x, Tensor.Full([2], 1.0), Conditioning.None).Shape.Should().Equal(2, 3, 4, 4);
    }

    [Fact]
    public void Counting_denoiser_counts_calls_and_rows()
    {
        using var scope = new TensorScope();
        var counter = new CountingDenoiser(new PreconditionedDenoiser(new AffineNetwork(), new EdmPreconditioning()));
        counter.Denoise(Tensor.Zeros([3, 2]), 0.5);
        counter.Denoise(Tensor.Zeros([5, 2]), 0.5);
        counter.Calls.Should().Be(2);
        counter.SamplesEvaluated.Should().Be(8);
        counter.Reset();
        counter.Calls.Should().Be(0);
    }

    private sealed class DoublingChannels : IDiffusionNetwork
    {
        public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning) => Tensor.Cat([input, input.ZerosLike()], 1);
    }
}
