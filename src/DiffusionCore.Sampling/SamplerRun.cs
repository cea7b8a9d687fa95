using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>
/// The machinery every sampler shares: argument checks, inference mode, the product precision of denoiser calls, the
/// state dtype, one <see cref="TensorScope"/>
/// per step (memory stays flat), cancellation, progress and the NFE count. Not thread-safe; one per run.
/// </summary>
internal sealed class SamplerRun : IDisposable
{
    /// <summary>
    /// Denoiser calls over a schedule (<see cref="ISampler.FunctionEvaluations"/>): one per step, plus a correction call
    /// for every σ_{i+1} ≠ 0 when the solver is second order.
    /// </summary>
    public static int CountFunctionEvaluations(IReadOnlyList<double> sigmas, bool secondOrder)
    {
        ArgumentNullException.ThrowIfNull(sigmas);
        int calls = 0;
        for (int i = 0; i + 1 < sigmas.Count; i++)
        {
            calls += secondOrder && sigmas[i + 1] != 0 ? 2 : 1;
        }

        return calls;
    }

    private readonly IDenoiser _denoiser;
    private readonly Conditioning _conditioning;
    private readonly INoiseSource? _noise;
    private readonly IProgress<SamplerStep>? _progress;
    private readonly CancellationToken _cancellationToken;
    private readonly InferenceModeScope? _inference;
    private readonly TensorScope _scope;
    private readonly DType _inputDType;
    private readonly ComputePrecision _precision;
    private readonly long[] _shape;

    // noiseRequiredBecause: null when the run draws no noise; otherwise why noise is needed (for the error message).
    public SamplerRun(
        IDenoiser denoiser,
        Tensor x,
        IReadOnlyList<double> sigmas,
        SamplerOptions options,
        Conditioning? conditioning,
        INoiseSource? noise,
        IProgress<SamplerStep>? progress,
        string? noiseRequiredBecause,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(options);
        SigmaSchedules.Validate(sigmas);
        options.Validate();
        _shape = x.Shape;
        if (_shape.Length == 0 || _shape[0] == 0)
        {
            throw new ArgumentException($"x must be a non-empty batch [B, ...]; got shape [{string.Join(", ", _shape)}].", nameof(x));
        }

        if (!x.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"x must be floating point; got {x.DType}.", nameof(x));
        }

        Conditioning cond = conditioning ?? Conditioning.None;
        cond.ValidateBatch(_shape[0]);
        if (noiseRequiredBecause is not null && noise is null)
        {
            throw new ArgumentException(
                $"{noiseRequiredBecause} Pass an INoiseSource: new PerSampleNoiseSource(seeds) for batch-independent images, " +
                "or new GeneratorNoiseSource(generator).", nameof(noise));
        }

        cancellationToken.ThrowIfCancellationRequested();
        _denoiser = denoiser;
        _conditioning = cond;
        _noise = noise;
        _progress = progress;
        _cancellationToken = cancellationToken;
        Sigmas = sigmas;
        StateDType = options.StateDType;
        _inputDType = x.DType;
        Device = x.Device;
        _precision = options.Precision;
        _inference = options.UseInferenceMode ? new InferenceModeScope() : null;
        _scope = new TensorScope();
        try
        {
            Initial = x.To(StateDType);
        }
        catch
        {
            // Never leave the thread in inference mode or with a dangling scope.
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<double> Sigmas { get; }

    public int Steps => Sigmas.Count - 1;

    public DType StateDType { get; }

    public Device Device { get; }

    public Tensor Initial { get; }

    public int FunctionEvaluations { get; private set; }

    /// <summary>D(x; σ) with σ shared by the batch; the result is in the state dtype.</summary>
    public Tensor Denoise(Tensor x, double sigma)
    {
        Tensor s = Tensor.Full([_shape[0]], sigma, StateDType, Device);
        Tensor d;
        using (_precision.Enter(Device))
        {
            d = _denoiser.Denoise(x, s, _conditioning);
        }

        FunctionEvaluations++;
        if (!d.Shape.AsSpan().SequenceEqual(_shape))
        {
            throw new InvalidOperationException(
                $"The denoiser {_denoiser.GetType().Name} returned shape [{string.Join(", ", d.Shape)}] for x of shape " +
                $"[{string.Join(", ", _shape)}]; D(x; σ) must have the shape of x.");
        }

        // Always a fresh handle in the caller's (step) scope, so a denoiser that returns a tensor it owns is never freed by the run.
        return d.DType == StateDType ? d.Alias() : d.To(StateDType);
    }

    /// <summary>
    /// The step shape of the one-call solvers: <c>D_i = D(x_i; σ_i)</c>, then <paramref name="next"/>(D_i) for the new
    /// state, or D_i itself on the step into σ = 0 (the Euler step to 0); reports progress and returns the new state.
    /// </summary>
    public Tensor DenoisedStep(int i, Tensor x, Func<Tensor, Tensor> next)
    {
        Tensor denoised = Denoise(x, Sigmas[i]);
        Tensor xNext = Sigmas[i + 1] == 0 ? denoised.Alias() : next(denoised);
        Report(i, xNext, denoised);
        return xNext;
    }

    /// <summary>Standard normal noise shaped like the state.</summary>
    public Tensor Noise() => _noise!.Randn(_shape, StateDType, Device);

    public void Report(int index, Tensor x, Tensor denoised) =>
        _progress?.Report(new SamplerStep(index, Steps, Sigmas[index], Sigmas[index + 1], x, denoised, FunctionEvaluations));

    /// <summary>
    /// Runs <paramref name="step"/> for i = 0..N−1, each inside its own scope; the state returned by a step survives
    /// it and the previous state is freed.
    /// </summary>
    public SamplingResult Run(Tensor start, Func<int, Tensor, Tensor> step)
    {
        Tensor x = start;
        for (int i = 0; i < Steps; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            Tensor next;
            using (var stepScope = new TensorScope())
            {
                Tensor produced = step(i, x);
                next = ReferenceEquals(produced, x) ? x : produced.MoveToOuterScope();
            }

            if (!ReferenceEquals(next, x))
            {
                x.Dispose();
                x = next;
            }
        }

        Tensor result = x.To(_inputDType).MoveToOuterScope();
        return new SamplingResult(result, FunctionEvaluations, Steps);
    }

    /// <summary>Moves a tensor made in a step scope into the run scope (for multistep history).</summary>
    public static Tensor Keep(Tensor t) => t.MoveToOuterScope();

    public void Dispose()
    {
        _scope.Dispose();
        _inference?.Dispose();
    }
}
