using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// The hybrid loss of models with learned variance (Nichol &amp; Dhariwal 2021, "Improved DDPM", Section 3.1, Eq. 15–16;
/// used by ADM and DiT): <c>L_hybrid = L_simple + λ·L_vlb</c>, λ = 0.001. The network outputs ε̂ and v (2C channels);
/// the reverse-step log-variance interpolates <c>log Σ = v'·log β_t + (1 − v')·log β̃_t</c>, <c>v' = (v + 1)/2</c>.
/// L_vlb is estimated from one uniform timestep as <c>T·L_t</c> with L_t in bits per dimension:
/// <c>KL(q(x_{t−1}|x_t, x_0) ‖ p(x_{t−1}|x_t))</c> for t &gt; 0, the discretised Gaussian decoder NLL
/// <c>−log p(x_0|x_1)</c> at t = 0; the model mean in L_t uses a stop-gradient ε̂, so L_vlb trains only the
/// variance. Per sample: mean over (masked) elements of <c>(ε − ε̂)²</c> plus <c>λ·T·L_t</c> (the reference's
/// "vb × T/1000").
/// </summary>
public sealed class AdmHybridLoss : DiscreteLossBase
{
    /// <summary>Creates it (λ = 0.001 as in Nichol &amp; Dhariwal 2021).</summary>
    public AdmHybridLoss(IDiffusionNetwork network, DiscreteSchedule schedule, double vlbWeight = 0.001)
        : base(network, schedule)
    {
        if (!(vlbWeight >= 0) || !double.IsFinite(vlbWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(vlbWeight), vlbWeight, "λ must be a finite non-negative weight (improved DDPM: 0.001).");
        }

        VlbWeight = vlbWeight;
    }

    /// <summary>λ, the weight of L_vlb.</summary>
    public double VlbWeight { get; }

    /// <summary>
    /// The per-sample variational term L_t in bits per dimension (KL for t &gt; 0, decoder NLL at t = 0), with the
    /// stop-gradient on ε̂ applied inside; <c>[B]</c>.
    /// </summary>
    /// <param name="y">Clean images x_0.</param>
    /// <param name="xt">Noisy inputs x_t.</param>
    /// <param name="timesteps">int64 timesteps <c>[B]</c>.</param>
    /// <param name="epsilon">Predicted ε̂ (detached here).</param>
    /// <param name="variance">The variance output v in [−1, 1].</param>
    /// <param name="mask">Optional element mask.</param>
    public Tensor VariationalBound(Tensor y, Tensor xt, Tensor timesteps, Tensor epsilon, Tensor variance, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(xt);
        ArgumentNullException.ThrowIfNull(timesteps);
        ArgumentNullException.ThrowIfNull(epsilon);
        ArgumentNullException.ThrowIfNull(variance);
        using var scope = new TensorScope();
        int rank = y.Dim;
        Tensor c0 = DiscreteDiffusionTables.Gather(Tables.PosteriorMeanCoefX0, timesteps, rank);
        Tensor ct = DiscreteDiffusionTables.Gather(Tables.PosteriorMeanCoefXt, timesteps, rank);
        Tensor minLog = DiscreteDiffusionTables.Gather(Tables.PosteriorLogVarianceClipped, timesteps, rank);
        Tensor maxLog = DiscreteDiffusionTables.Gather(Tables.LogBeta, timesteps, rank);
        Tensor sab = DiscreteDiffusionTables.Gather(Tables.SqrtAlphaBar, timesteps, rank);
        Tensor somab = DiscreteDiffusionTables.Gather(Tables.SqrtOneMinusAlphaBar, timesteps, rank);

        Tensor trueMean = (c0 * y) + (ct * xt);
        Tensor trueLogVar = minLog;
        Tensor frac = (variance + 1.0) * 0.5;
        Tensor modelLogVar = (frac * maxLog) + (frac.RSub(1.0) * minLog);
        Tensor predX0 = (xt - (somab * epsilon.Detach())) / sab;
        Tensor modelMean = (c0 * predX0) + (ct * xt);

        Tensor kl = GaussianLikelihood.NormalKl(trueMean, trueLogVar, modelMean, modelLogVar);
        Tensor nll = GaussianLikelihood.DiscretizedLogLikelihood(y, modelMean, modelLogVar * 0.5).Neg();
        Tensor klBits = LossReduction.MeanPerSample(kl, mask) / Math.Log(2.0);
        Tensor nllBits = LossReduction.MeanPerSample(nll, mask) / Math.Log(2.0);
        return Tensor.Where(timesteps.Reshape(-1).Eq(0L), nllBits, klBits).MoveToOuterScope();
    }

    private protected override Tensor Reduce(Tensor y, Tensor eps, Tensor xt, Tensor timesteps, Tensor output, Tensor? mask)
    {
        (Tensor epsHat, Tensor? v) = DiscreteDiffusionTables.Split(output, y.Size(1));
        if (v is null)
        {
            throw new InvalidOperationException(
                $"The hybrid loss needs a network with learned variance (2C = {2 * y.Size(1)} output channels); it returned {output.Size(1)}. " +
                "Use DdpmEpsilonLoss for a fixed-variance ε-model.");
        }

        Tensor simple = LossReduction.MeanPerSample((epsHat - eps).Square(), mask);
        Tensor vb = VariationalBound(y, xt, timesteps, epsHat, v, mask);
        return simple + (vb * (VlbWeight * Schedule.Timesteps));
    }
}
