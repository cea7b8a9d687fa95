using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>
/// The generalised deterministic/stochastic sampler of Karras et al. 2022 (Algorithm 1, Table 1 and the ablations
/// of Sect. 3–4): integrates <c>dx/dt = (σ'(t)/σ(t) + s'(t)/s(t))·x − (σ'(t)·s(t)/σ(t))·D(x/s(t); σ(t))</c>
/// (Eq. 4) with Euler, Heun or second-order Runge–Kutta (α), for any σ(t) ∈ {VP, VE, linear, rectified flow} and
/// s(t) ∈ {VP, none, rectified flow} (the last pair is the native flow-matching sampler in t, <see cref="GeneralizedSamplerOptions.RectifiedFlowPreset"/>).
/// The discretisation is the <c>sigmas</c> argument (VP, VE, iDDPM or EDM from <see cref="Schedules.SigmaSchedules"/>),
/// mapped to times by <c>t_i = σ⁻¹(σ_i)</c>. Input and output states are in the unscaled form <c>x/s(t)</c>.
/// The step into σ = 0 is an Euler step, so second-order solvers use 2N−1 denoiser calls.
/// </summary>
public sealed class GeneralizedSampler : ISampler
{
    private readonly TimeParameterization _time;

    /// <summary>Creates the sampler.</summary>
    public GeneralizedSampler(GeneralizedSamplerOptions? options = null)
    {
        Options = options ?? new GeneralizedSamplerOptions();
        Options.Validate();
        _time = new TimeParameterization(Options.Sigma, Options.Scaling, Options.VpNoiseLevel);
    }

    /// <summary>The options.</summary>
    public GeneralizedSamplerOptions Options { get; }

    /// <inheritdoc />
    SamplerOptions ISampler.Options => Options;

    /// <inheritdoc />
    public int FunctionEvaluations(IReadOnlyList<double> sigmas) => SamplerRun.CountFunctionEvaluations(sigmas, secondOrder: Options.Solver != OdeSolver.Euler);

    /// <inheritdoc />
    public SamplingResult Sample(
        IDenoiser denoiser, Tensor x, IReadOnlyList<double> sigmas, Conditioning? conditioning = null, INoiseSource? noise = null,
        IProgress<SamplerStep>? progress = null, CancellationToken cancellationToken = default)
    {
        StochasticityOptions churn = Options.Stochasticity;
        using var run = new SamplerRun(denoiser, x, sigmas, Options, conditioning, noise, progress,
            churn.IsStochastic ? ChurnStep.NoiseReason : null, cancellationToken);
        double alpha = Options.Solver switch
        {
            OdeSolver.RungeKutta2 => Options.Alpha,
            _ => 1,
        };
        double[] times = run.Sigmas.Select(_time.Time).ToArray();
        Tensor start = run.Initial * _time.Scale(times[0]);

        SamplingResult scaled = run.Run(start, (i, xCur) =>
        {
            double tCur = times[i];
            double tNext = times[i + 1];
            double sigmaCur = _time.Sigma(tCur);

            // Churn (Algorithm 2 lines 4–6 in the (σ(t), s(t)) form): raise σ to σ̂ = σ·(1+γ).
            double gamma = churn.Gamma(sigmaCur, run.Steps);
            double tHat = tCur;
            Tensor xHat = xCur;
            if (gamma > 0)
            {
                tHat = _time.Time(sigmaCur * (1 + gamma));
                double sigmaHat = _time.Sigma(tHat);
                double noiseScale = Math.Sqrt((sigmaHat * sigmaHat) - (sigmaCur * sigmaCur)) * _time.Scale(tHat) * churn.SNoise;
                xHat = (xCur * (_time.Scale(tHat) / _time.Scale(tCur))) + (run.Noise() * noiseScale);
            }

            double h = tNext - tHat;
            (Tensor dCur, Tensor denoised) = Derivative(run, xHat, tHat);
            Tensor xNext;
            if (Options.Solver == OdeSolver.Euler || run.Sigmas[i + 1] == 0)
            {
                xNext = xHat + (dCur * h);
            }
            else
            {
                double tPrime = tHat + (alpha * h);
                Tensor xPrime = xHat + (dCur * (alpha * h));
                (Tensor dPrime, _) = Derivative(run, xPrime, tPrime);
                double w = 1 / (2 * alpha);
                xNext = xHat + (((dCur * (1 - w)) + (dPrime * w)) * h);
            }

            run.Report(i, xNext, denoised);
            return xNext;
        });

        double endScale = _time.Scale(times[^1]);
        if (endScale == 1)
        {
            return scaled;
        }

        Tensor unscaled = (scaled.Samples / endScale).MoveToOuterScope();
        scaled.Samples.Dispose();
        return scaled with { Samples = unscaled };
    }

    /// <summary>dx/dt at (x, t) (Karras et al. 2022, Eq. 4) and the denoiser output it used.</summary>
    private (Tensor Derivative, Tensor Denoised) Derivative(SamplerRun run, Tensor x, double t)
    {
        double sigma = _time.Sigma(t);
        double sigmaPrime = _time.SigmaDerivative(t);
        double s = _time.Scale(t);
        double sPrime = _time.ScaleDerivative(t);
        Tensor denoised = run.Denoise(s == 1 ? x : x / s, sigma);
        Tensor d = (x * ((sigmaPrime / sigma) + (sPrime / s))) - (denoised * (sigmaPrime * s / sigma));
        return (d, denoised);
    }
}
