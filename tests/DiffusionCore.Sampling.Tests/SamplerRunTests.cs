using DiffusionCore.Analytic;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling.Tests;

/// <summary>Progress, cancellation, inference mode and flat memory of the sampler loop.</summary>
/// <remarks>Not run in parallel with other tests: the memory test reads the process-wide count of live tensors.</remarks>
[Collection(SerialTestGroup.Name)]
public class SamplerRunTests
{
    private sealed class ProbeDenoiser(IDenoiser inner) : IDenoiser
    {
        public List<bool> GradEnabled { get; } = [];

        public List<DType> Dtypes { get; } = [];

        public List<DType?> Precisions { get; } = [];

        public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
        {
            GradEnabled.Add(Autograd.IsGradEnabled);
            Precisions.Add(MatmulPrecisionScope.Current);
            Dtypes.Add(x.DType);
            sigma.DType.Should().Be(x.DType);
            return inner.Denoise(x, sigma, conditioning);
        }
    }

    [Fact]
    public void Progress_reports_every_step_with_its_sigmas_and_nfe()
    {
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureFixture.CreateMixture();
        double[] sigmas = SigmaSchedules.Karras(8);
        var steps = new List<(int Index, int Steps, double Sigma, double Next, int Nfe, long[] Shape)>();
        var seen = new List<Tensor>();
        var progress = new SynchronousProgress<SamplerStep>(s =>
        {
            steps.Add((s.Index, s.Steps, s.Sigma, s.SigmaNext, s.FunctionEvaluations, s.X.Shape));
            s.Denoised.Shape.Should().Equal(s.X.Shape);
            seen.Add(s.X);
        });
        new HeunSampler().Sample(m, Tensor.Zeros([4, 2]), sigmas, progress: progress);
        steps.Select(s => s.Index).Should().Equal(Enumerable.Range(0, 8));
        steps.Should().OnlyContain(s => s.Steps == 8);
        steps.Select(s => s.Sigma).Should().Equal(sigmas[..8]);
        steps.Select(s => s.Next).Should().Equal(sigmas[1..]);
        steps.Select(s => s.Nfe).Should().Equal(2, 4, 6, 8, 10, 12, 14, 15);
        seen.Take(7).Should().OnlyContain(t => t.IsDisposed, "step tensors live only during the report");
    }

    [Fact]
    public void Cancellation_is_checked_before_each_step()
    {
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureFixture.CreateMixture();
        var counter = new CountingDenoiser(m);
        double[] sigmas = SigmaSchedules.Karras(10);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        FluentActions.Invoking(() => new EulerSampler().Sample(counter, Tensor.Zeros([2, 2]), sigmas, cancellationToken: cts.Token))
            .Should().Throw<OperationCanceledException>();
        counter.Calls.Should().Be(0);

        using var later = new CancellationTokenSource();
        var progress = new SynchronousProgress<SamplerStep>(s =>
        {
            if (s.Index == 2) later.Cancel();
        });
        FluentActions.Invoking(() => new EulerSampler().Sample(counter, Tensor.Zeros([2, 2]), sigmas, progress: progress, cancellationToken: later.Token))
            .Should().Throw<OperationCanceledException>();
        counter.Calls.Should().Be(3);
    }

    [Fact]
    public void Sampling_runs_in_inference_mode_by_default_and_in_the_state_dtype()
    {
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureFixture.CreateMixture();
        double[] sigmas = SigmaSchedules.Karras(3);
        var probe = new ProbeDenoiser(m);
        new HeunSampler().Sample(probe, Tensor.Zeros([2, 2]), sigmas);
        probe.GradEnabled.Should().OnlyContain(g => !g);
        probe.Dtypes.Should().OnlyContain(d => d == DType.Float32);

        var probe2 = new ProbeDenoiser(m);
        SamplingResult r = new HeunSampler(new HeunOptions { UseInferenceMode = false, StateDType = DType.Float64 }).Sample(probe2, Tensor.Zeros([2, 2]), sigmas);
        probe2.GradEnabled.Should().OnlyContain(g => g);
        probe2.Dtypes.Should().OnlyContain(d => d == DType.Float64);
        r.Samples.DType.Should().Be(DType.Float32);
        Autograd.IsGradEnabled.Should().BeTrue("the previous mode is restored");
    }

    [Fact]
    public void Denoiser_calls_run_in_the_resolved_product_precision_and_the_thread_gets_its_setting_back()
    {
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureFixture.CreateMixture();
        double[] sigmas = SigmaSchedules.Karras(3);
        DType? auto = Torch.Torch.HasNativeBFloat16 ? DType.BFloat16 : null;
        foreach ((ComputePrecision precision, DType? expected) in new[]
                 { (ComputePrecision.Auto, auto), (ComputePrecision.Float32, (DType?)null), (ComputePrecision.BFloat16, DType.BFloat16) })
        {
            var probe = new ProbeDenoiser(m);
            using (new MatmulPrecisionScope(DType.Float16))
            {
                new EulerSampler(new EulerOptions { Precision = precision }).Sample(probe, Tensor.Zeros([2, 2]), sigmas);
                MatmulPrecisionScope.Current.Should().Be(DType.Float16, "the caller's setting is restored after each call");
            }

            probe.Precisions.Should().HaveCount(3).And.OnlyContain(p => p == expected, $"{precision} resolves to {expected?.ToString() ?? "float32"} on this CPU");
        }

        MatmulPrecisionScope.Current.Should().BeNull();
        FluentActions.Invoking(() => new EulerSampler(new EulerOptions { Precision = (ComputePrecision)9 }).Sample(m, Tensor.Zeros([2, 2]), sigmas))
            .Should().Throw<ArgumentException>().WithMessage("*Precision 9 is not one of Auto, Float32, BFloat16*");
    }

    [Fact]
    public void Memory_stays_flat_across_steps_and_only_the_result_survives()
    {
        // The count is process-wide: let the finalizer free what earlier tests dropped now, not during the run.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using GaussianMixture m = MixtureFixture.CreateMixture();
        double[] sigmas = SigmaSchedules.Karras(40);
        using var g = new Generator(3);
        using var outer = new TensorScope();
        Tensor x = Tensor.Randn([64, 2], g) * 80;
        long before = Torch.Torch.LiveTensorCount;
        var live = new List<long>();
        var progress = new SynchronousProgress<SamplerStep>(_ => live.Add(Torch.Torch.LiveTensorCount));
        SamplingResult r;
        using (var inner = new TensorScope())
        {
            r = new HeunSampler(new HeunOptions { Stochasticity = new StochasticityOptions { SChurn = 10 } })
                .Sample(m, x, sigmas, noise: new GeneratorNoiseSource(g), progress: progress);
            r.Samples.MoveToOuterScope();
        }

        // Every Heun step holds the same number of tensors at its report (the last step, an Euler step into σ = 0, fewer).
        live.Take(live.Count - 1).Distinct().Should().ContainSingle("each step frees what it allocated");
        live[^1].Should().BeLessThanOrEqualTo(live[0]);
        (Torch.Torch.LiveTensorCount - before).Should().Be(1, "only the result survives the run");
        r.Samples.IsDisposed.Should().BeFalse();
        x.IsDisposed.Should().BeFalse("the caller's x is never disposed");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTestGroup
{
    public const string Name = "Serial (process-wide tensor counts)";
}
