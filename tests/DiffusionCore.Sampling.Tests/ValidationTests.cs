using DiffusionCore.Analytic;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling.Tests;

public sealed class ValidationTests : IDisposable
{
    private readonly GaussianMixture _m = MixtureFixture.CreateMixture();
    private readonly TensorScope _scope = new();
    private readonly double[] _sigmas = SigmaSchedules.Karras(5);

    public void Dispose()
    {
        _scope.Dispose();
        _m.Dispose();
    }

    private sealed class WrongShape : IDenoiser
    {
        public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning) => x.Narrow(1, 0, 1);
    }

    [Fact]
    public void Bad_inputs_raise_clear_exceptions()
    {
        var heun = new HeunSampler();
        Tensor x = Tensor.Zeros([3, 2]);
        FluentActions.Invoking(() => heun.Sample(null!, x, _sigmas)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => heun.Sample(_m, x, [1.0, 2.0])).Should().Throw<ArgumentException>().WithMessage("*decrease strictly*");
        FluentActions.Invoking(() => heun.Sample(_m, Tensor.Zeros([3, 2], DType.Int64), _sigmas)).Should().Throw<ArgumentException>().WithMessage("*floating point*");
        FluentActions.Invoking(() => heun.Sample(_m, Tensor.Zeros([0, 2]), _sigmas)).Should().Throw<ArgumentException>().WithMessage("*non-empty batch*");
        FluentActions.Invoking(() => heun.Sample(_m, x, _sigmas, Conditioning.FromClassLabels(Tensor.Zeros([2], DType.Int64))))
            .Should().Throw<ArgumentException>().WithMessage("*'class_labels'*3 samples*");
        FluentActions.Invoking(() => heun.Sample(new WrongShape(), x, _sigmas)).Should().Throw<InvalidOperationException>().WithMessage("*WrongShape*[3, 1]*shape of x*");
    }

    [Fact]
    public void Stochastic_options_without_noise_name_the_fix()
    {
        var churn = new HeunSampler(new HeunOptions { Stochasticity = new StochasticityOptions { SChurn = 10 } });
        FluentActions.Invoking(() => churn.Sample(_m, Tensor.Zeros([3, 2]), _sigmas))
            .Should().Throw<ArgumentException>().WithMessage("*S_churn > 0*PerSampleNoiseSource*");
        using var wrongBatch = new PerSampleNoiseSource([1, 2]);
        FluentActions.Invoking(() => churn.Sample(_m, Tensor.Zeros([3, 2]), _sigmas, noise: wrongBatch))
            .Should().Throw<ArgumentException>().WithMessage("*2 per-image streams*");
    }

    [Fact]
    public void Invalid_options_are_rejected_at_construction()
    {
        FluentActions.Invoking(() => new HeunSampler(new HeunOptions { StateDType = DType.Float16 })).Should().Throw<ArgumentException>().WithMessage("*Float32 or Float64*");
        FluentActions.Invoking(() => new HeunSampler(new HeunOptions { Stochasticity = new StochasticityOptions { SChurn = -1 } })).Should().Throw<ArgumentException>().WithMessage("*S_churn*");
        FluentActions.Invoking(() => new EulerSampler(new EulerOptions { Stochasticity = new StochasticityOptions { SMin = 2, SMax = 1 } })).Should().Throw<ArgumentException>().WithMessage("*S_min ≤ S_max*");
        FluentActions.Invoking(() => new GeneralizedSampler(new GeneralizedSamplerOptions { Solver = OdeSolver.RungeKutta2, Alpha = 0 })).Should().Throw<ArgumentException>().WithMessage("*α*(0, 1]*");
        FluentActions.Invoking(() => new GeneralizedSampler(new GeneralizedSamplerOptions { Sigma = (SigmaFunction)9 })).Should().Throw<ArgumentException>().WithMessage("*σ(t)*");
    }

    [Fact]
    public void Churn_gamma_follows_algorithm_2()
    {
        var s = new StochasticityOptions { SChurn = 40, SMin = 0.05, SMax = 50 };
        s.Gamma(10, 256).Should().Be(40.0 / 256);
        s.Gamma(10, 18).Should().Be(Math.Sqrt(2) - 1);
        s.Gamma(60, 256).Should().Be(0);
        s.Gamma(0.01, 256).Should().Be(0);
        StochasticityOptions.None.Gamma(1, 10).Should().Be(0);
    }

    public static TheoryData<string> NewSamplers => ["euler-ancestral", "dpm2m-sde", "dpm3m-sde", "unipc", "lms", "flow-heun"];

    private static ISampler CreateNew(string name) => name switch
    {
        "euler-ancestral" => new EulerAncestralSampler(),
        "dpm2m-sde" => new DpmSolverPlusPlus2MSdeSampler(),
        "dpm3m-sde" => new DpmSolverPlusPlus3MSdeSampler(),
        "unipc" => new UniPcSampler(),
        "lms" => new LmsSampler(),
        _ => new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset()),
    };

    [Theory]
    [MemberData(nameof(NewSamplers))]
    public void New_samplers_reject_a_non_monotone_or_non_finite_grid(string name)
    {
        ISampler sampler = CreateNew(name);
        using var noise = new PerSampleNoiseSource([1, 2, 3]);
        Tensor x = Tensor.Zeros([3, 2]);
        FluentActions.Invoking(() => sampler.Sample(_m, x, [10.0, 1.0, 2.0, 0.0], noise: noise))
            .Should().Throw<ArgumentException>().WithMessage("*decrease strictly*sigmas[2] = 2*");
        FluentActions.Invoking(() => sampler.Sample(_m, x, [10.0, double.NaN, 0.0], noise: noise))
            .Should().Throw<ArgumentException>().WithMessage("*sigmas[1] = NaN*");
        FluentActions.Invoking(() => sampler.Sample(_m, x, [10.0], noise: noise))
            .Should().Throw<ArgumentException>().WithMessage("*at least two noise levels*");
    }

    [Fact]
    public void Sde_samplers_without_noise_name_the_fix_and_eta_0_needs_none()
    {
        Tensor x = Tensor.Zeros([3, 2]);
        FluentActions.Invoking(() => new EulerAncestralSampler().Sample(_m, x, _sigmas))
            .Should().Throw<ArgumentException>().WithMessage("*Euler ancestral adds fresh noise*PerSampleNoiseSource*");
        FluentActions.Invoking(() => new DpmSolverPlusPlus2MSdeSampler().Sample(_m, x, _sigmas))
            .Should().Throw<ArgumentException>().WithMessage("*DPM-Solver++ SDE*η > 0*PerSampleNoiseSource*");
        FluentActions.Invoking(() => new DpmSolverPlusPlus3MSdeSampler().Sample(_m, x, _sigmas))
            .Should().Throw<ArgumentException>().WithMessage("*DPM-Solver++ SDE*PerSampleNoiseSource*");
        new DpmSolverPlusPlus3MSdeSampler(new DpmSolverPlusPlus3MSdeOptions { Eta = 0 }).Sample(_m, x, _sigmas).Steps.Should().Be(5);
        new EulerAncestralSampler(new EulerAncestralOptions { SNoise = 0 }).Sample(_m, x, _sigmas).Steps.Should().Be(5);
    }

    [Fact]
    public void Unknown_orders_variants_and_bad_noise_options_are_rejected_at_construction()
    {
        FluentActions.Invoking(() => new UniPcSampler(new UniPcOptions { Order = 4 })).Should().Throw<ArgumentException>().WithMessage("*UniPC order must be 1, 2 or 3; got 4*");
        FluentActions.Invoking(() => new UniPcSampler(new UniPcOptions { Order = 0 })).Should().Throw<ArgumentException>().WithMessage("*got 0*");
        FluentActions.Invoking(() => new UniPcSampler(new UniPcOptions { Variant = (UniPcVariant)7 })).Should().Throw<ArgumentException>().WithMessage("*Bh1 or Bh2*");
        FluentActions.Invoking(() => new LmsSampler(new LmsOptions { Order = 5 })).Should().Throw<ArgumentException>().WithMessage("*LMS order must be 1, 2, 3 or 4; got 5*");
        FluentActions.Invoking(() => new DpmSolverPlusPlus2MSdeSampler(new DpmSolverPlusPlus2MSdeOptions { SecondOrderTerm = (DpmSolverSecondOrderTerm)3 }))
            .Should().Throw<ArgumentException>().WithMessage("*Midpoint or Heun*");
        FluentActions.Invoking(() => new EulerAncestralSampler(new EulerAncestralOptions { Eta = double.NaN })).Should().Throw<ArgumentException>().WithMessage("*η must be finite*");
        FluentActions.Invoking(() => new DpmSolverPlusPlus3MSdeSampler(new DpmSolverPlusPlus3MSdeOptions { Eta = -0.5 })).Should().Throw<ArgumentException>().WithMessage("*η*≥ 0*");
        FluentActions.Invoking(() => new DpmSolverPlusPlus2MSdeSampler(new DpmSolverPlusPlus2MSdeOptions { SNoise = double.PositiveInfinity })).Should().Throw<ArgumentException>().WithMessage("*S_noise*");
        FluentActions.Invoking(() => new GeneralizedSampler(new GeneralizedSamplerOptions { Scaling = (ScalingFunction)9 })).Should().Throw<ArgumentException>().WithMessage("*s(t)*");
    }
}
