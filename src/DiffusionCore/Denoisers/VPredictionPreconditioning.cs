using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Denoisers;

/// <summary>
/// The adapter for a discrete-time v-prediction network (Salimans and Ho 2022, "Progressive distillation", Sect. 4:
/// <c>v = α·ε − σ_VP·y</c>) as a preconditioning. With <c>α = 1/√(σ²+1)</c> and <c>σ_VP = σ/√(σ²+1)</c> the clean
/// estimate is <c>ŷ = α·z − σ_VP·v̂</c> for <c>z = α·x</c>, i.e. <c>c_skip = σ_d²/(σ²+σ_d²)</c>,
/// <c>c_out = −σ·σ_d/√(σ²+σ_d²)</c>, <c>c_in = 1/√(σ²+σ_d²)</c> with σ_d = 1, and <c>c_noise = t(σ)</c>.
/// </summary>
public sealed class VPredictionPreconditioning : Preconditioning
{
    /// <summary>Creates the adapter over a discrete schedule; <paramref name="sigmaData"/> is 1 for the usual v-parameterisation.</summary>
    public VPredictionPreconditioning(DiscreteSchedule schedule, TimestepRounding rounding = TimestepRounding.Interpolated, double sigmaData = 1)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (!(sigmaData > 0)) throw new ArgumentOutOfRangeException(nameof(sigmaData), sigmaData, "σ_data must be positive (1 for v-prediction).");
        Schedule = schedule;
        Rounding = rounding;
        SigmaData = sigmaData;
    }

    /// <summary>The schedule that maps σ to the network's timestep.</summary>
    public DiscreteSchedule Schedule { get; }

    /// <summary>Whether fractional timesteps are passed or rounded to trained ones.</summary>
    public TimestepRounding Rounding { get; }

    /// <summary>σ_d (1).</summary>
    public double SigmaData { get; }

    /// <inheritdoc />
    public override double SigmaMin => Schedule.SigmaMin;

    /// <inheritdoc />
    public override double SigmaMax => Schedule.SigmaMax;

    /// <inheritdoc />
    public override PreconditioningCoefficients Coefficients(Tensor sigma)
    {
        ValidateSigma(sigma);
        double sd2 = SigmaData * SigmaData;
        using var scope = new TensorScope();
        Tensor total = sigma.Square() + sd2;
        Tensor cIn = total.Rsqrt();
        Tensor cSkip = total.RDiv(sd2);
        Tensor cOut = sigma.Neg() * SigmaData * cIn;
        Tensor cNoise = Schedule.SigmaToTimestep(sigma, Rounding).To(sigma.DType);
        return new PreconditioningCoefficients(cSkip.MoveToOuterScope(), cOut.MoveToOuterScope(), cIn.MoveToOuterScope(), cNoise.MoveToOuterScope());
    }
}
