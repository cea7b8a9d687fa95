namespace DiffusionCore.Training.Ema;

/// <summary>
/// The least-squares step of post-hoc EMA (Karras et al. 2024, EDM2 §3, App. C.3): find weights X so that
/// Σ_i X[i,k]·p_i best approximates each target profile q_k in L2 over τ, with p_i the profiles of the stored snapshots.
/// A pure function of the snapshots' and targets' (t, γ) pairs, so it can be tested and inspected on its own.
/// </summary>
/// <remarks>
/// Normal equations A·X = B with A[i,j] = ⟨p_i, p_j⟩ and B[i,k] = ⟨p_i, q_k⟩, solved in float64. A is a Gram matrix
/// whose condition number reaches ~10⁸ (profiles of neighbouring snapshots are nearly parallel), so it is first
/// equilibrated (unit diagonal), then factorised by Cholesky with diagonal pivoting, which also detects numerically
/// dependent snapshots (e.g. two stored at the same time with the same γ) and drops them instead of amplifying
/// rounding; two steps of iterative refinement in float64 follow. Each column of X is finally normalised to sum 1
/// (EDM2), so a reconstruction is a weighted average of snapshots.
/// </remarks>
public static class PostHocEmaSolver
{
    /// <summary>
    /// The L2 inner product of two normalised power profiles (EDM2 App. C.3):
    /// ⟨p_a, p_b⟩ = (γ_a+1)(γ_b+1)·(t_a/t_b)^{γ_b if t_a &lt; t_b else −γ_a} / ((γ_a+γ_b+1)·max(t_a, t_b)).
    /// </summary>
    /// <param name="a">The first profile.</param>
    /// <param name="b">The second profile.</param>
    /// <returns>∫ p_a(τ)·p_b(τ) dτ.</returns>
    public static double InnerProduct(EmaProfile a, EmaProfile b)
    {
        ValidateProfile(a, nameof(a));
        ValidateProfile(b, nameof(b));
        double ratio = a.Time / b.Time;
        double power = a.Time < b.Time ? Math.Pow(ratio, b.Gamma) : Math.Pow(ratio, -a.Gamma);
        return (a.Gamma + 1) * (b.Gamma + 1) * power / ((a.Gamma + b.Gamma + 1) * Math.Max(a.Time, b.Time));
    }

    /// <summary>
    /// The weights that combine the snapshots into each target: X[i,k] is the weight of snapshot i in target k, and every
    /// column sums to 1. Every snapshot may take part (a snapshot later than a target is allowed by the mathematics);
    /// to reconstruct the average as it was at a time, pass only the snapshots up to that time, as
    /// <see cref="PostHocEmaReconstructor"/> does.
    /// </summary>
    /// <param name="snapshots">The stored profiles p_i (at least one).</param>
    /// <param name="targets">The wanted profiles q_k (at least one).</param>
    /// <returns>X, shape [snapshots, targets].</returns>
    /// <exception cref="ArgumentException">A profile has a non-positive time or γ ≤ −1/2, or a target cannot be approximated
    /// by a weighted average (its least-squares weights sum to zero).</exception>
    public static double[,] Solve(IReadOnlyList<EmaProfile> snapshots, IReadOnlyList<EmaProfile> targets)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(targets);
        if (snapshots.Count == 0)
        {
            throw new ArgumentException("Post-hoc EMA needs at least one snapshot.", nameof(snapshots));
        }

        if (targets.Count == 0)
        {
            throw new ArgumentException("Give at least one target profile.", nameof(targets));
        }

        int n = snapshots.Count;
        int m = targets.Count;
        var a = new double[n, n];
        var b = new double[n, m];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                a[i, j] = a[j, i] = InnerProduct(snapshots[i], snapshots[j]);
            }

            for (int k = 0; k < m; k++)
            {
                b[i, k] = InnerProduct(snapshots[i], targets[k]);
            }
        }

        double[,] x = SymmetricSolver.SolvePositiveSemidefinite(a, b);
        for (int k = 0; k < m; k++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += x[i, k];
            }

            if (!(Math.Abs(sum) > 1e-12) || !double.IsFinite(sum))
            {
                throw new ArgumentException(
                    $"Target {k} (t = {EmaArguments.Format(targets[k].Time)}, γ = {EmaArguments.Format(targets[k].Gamma)}) cannot be expressed as a weighted average of the snapshots (weights sum to {EmaArguments.Format(sum)}).",
                    nameof(targets));
            }

            for (int i = 0; i < n; i++)
            {
                x[i, k] /= sum;
            }
        }

        return x;
    }

    private static void ValidateProfile(EmaProfile p, string name)
    {
        if (!(p.Time > 0) || double.IsPositiveInfinity(p.Time))
        {
            throw new ArgumentException($"A profile's time must be a finite number of images > 0; got {EmaArguments.Format(p.Time)}.", name);
        }

        if (!(p.Gamma > -0.5) || double.IsPositiveInfinity(p.Gamma))
        {
            throw new ArgumentException($"A profile's γ must be finite and > −1/2 (so that the profile is square-integrable); got {EmaArguments.Format(p.Gamma)}.", name);
        }
    }
}
