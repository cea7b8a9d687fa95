using DiffusionCore.Labels;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Denoisers;

/// <summary>
/// Wraps a raw network F into the denoiser <c>D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ))</c>
/// (Karras et al. 2022, Eq. 7), with the coefficients of a <see cref="Preconditioning"/>. The same class adapts
/// EDM/VP/VE/iDDPM networks, discrete ε- or v-prediction networks (<see cref="EpsilonPrediction"/>,
/// <see cref="VPrediction"/>) and rectified-flow velocity networks (<see cref="FlowMatching"/>) to one <see cref="IDenoiser"/> contract.
/// </summary>
public sealed class PreconditionedDenoiser : IDenoiser, IClassConditioned
{
    /// <summary>Creates the denoiser.</summary>
    public PreconditionedDenoiser(IDiffusionNetwork network, Preconditioning preconditioning, PreconditionedDenoiserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(preconditioning);
        Options = options ?? new PreconditionedDenoiserOptions();
        Options.Validate();
        Network = network;
        Preconditioning = preconditioning;
    }

    /// <summary>The raw network F.</summary>
    public IDiffusionNetwork Network { get; }

    /// <summary>The preconditioning.</summary>
    public Preconditioning Preconditioning { get; }

    /// <summary>The options.</summary>
    public PreconditionedDenoiserOptions Options { get; }

    /// <summary>The class-label input the network declares (<see cref="IClassConditioned"/>), or null.</summary>
    public ClassLabelSpec? ClassLabelSpec => (Network as IClassConditioned)?.ClassLabelSpec;

    /// <summary>
    /// Adapts a discrete-time ε-prediction network (DDPM, ADM, DiT) through <see cref="EpsilonPredictionPreconditioning"/>:
    /// <c>D(x; σ) = x − σ·ε̂(x/√(σ²+1); t(σ))</c>.
    /// </summary>
    public static PreconditionedDenoiser EpsilonPrediction(
        IDiffusionNetwork network, DiscreteSchedule schedule, TimestepRounding rounding = TimestepRounding.Interpolated, PreconditionedDenoiserOptions? options = null) =>
        new(network, new EpsilonPredictionPreconditioning(schedule, rounding), options);

    /// <summary>
    /// Adapts a discrete-time v-prediction network through <see cref="VPredictionPreconditioning"/>:
    /// <c>D(x; σ) = x/(σ²+1) − σ/√(σ²+1)·v̂(x/√(σ²+1); t(σ))</c>.
    /// </summary>
    public static PreconditionedDenoiser VPrediction(
        IDiffusionNetwork network, DiscreteSchedule schedule, TimestepRounding rounding = TimestepRounding.Interpolated, PreconditionedDenoiserOptions? options = null) =>
        new(network, new VPredictionPreconditioning(schedule, rounding), options);

    /// <summary>
    /// Adapts a rectified-flow velocity network F(x_t; t) through <see cref="FlowMatchingPreconditioning"/>
    /// (Esser et al. 2024, Sect. 2): <c>D(x; σ) = x_t − t·F(x_t; timeScale·t)</c> with <c>t = σ/(1+σ)</c>, <c>x_t = x/(1+σ)</c>.
    /// </summary>
    public static PreconditionedDenoiser FlowMatching(IDiffusionNetwork network, double timeScale = 1, PreconditionedDenoiserOptions? options = null) =>
        new(network, new FlowMatchingPreconditioning(timeScale), options);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A noise level is not positive and finite.</exception>
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
    {
        PerSample.ValidateDenoiserInputs(x, sigma, conditioning);
        PerSample.ValidateNoiseLevels(sigma);
        using var scope = new TensorScope();
        DType dtype = Options.ComputeDType;
        int rank = x.Dim;
        Tensor xc = x.To(dtype);
        PreconditioningCoefficients c = Preconditioning.Coefficients(sigma.To(dtype));
        Tensor f = Network.Forward(xc * PerSample.Broadcastable(c.CIn, rank), c.CNoise, conditioning);
        if (Options.DiscardLearnedVariance)
        {
            long channels = f.Dim >= 2 ? f.Size(1) : 0;
            if (channels % 2 != 0 || channels == 0)
            {
                throw new InvalidOperationException(
                    $"DiscardLearnedVariance expects the network output to hold 2C channels along dimension 1; got {f}.");
            }

            f = f.Narrow(1, 0, channels / 2);
        }

        if (!f.Shape.AsSpan().SequenceEqual(x.Shape))
        {
            throw new InvalidOperationException(
                $"The network {Network.GetType().Name} returned shape [{string.Join(", ", f.Shape)}] for input [{string.Join(", ", x.Shape)}]; " +
                "a denoiser's raw output must match its input (set DiscardLearnedVariance for ε+variance outputs).");
        }

        Tensor d = (xc * PerSample.Broadcastable(c.CSkip, rank)) + (f.To(dtype) * PerSample.Broadcastable(c.COut, rank));
        return d.To(x.DType).MoveToOuterScope();
    }
}
