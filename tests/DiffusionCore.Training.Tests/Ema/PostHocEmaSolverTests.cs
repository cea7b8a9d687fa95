using DiffusionCore.Training.Ema;

namespace DiffusionCore.Training.Tests.Ema;

public class PostHocEmaSolverTests
{
    private static readonly double Gamma05 = PowerFunctionEma.SigmaRelToGamma(0.05);
    private static readonly double Gamma10 = PowerFunctionEma.SigmaRelToGamma(0.10);

    /// <summary>EDM2-like storage: both widths at every interval.</summary>
    private static List<EmaProfile> Grid(int count, double interval)
    {
        var list = new List<EmaProfile>();
        for (int i = 1; i <= count; i++)
        {
            list.Add(new EmaProfile(i * interval, Gamma05));
            list.Add(new EmaProfile(i * interval, Gamma10));
        }

        return list;
    }

    [Fact]
    public void InnerProduct_is_symmetric_and_matches_closed_forms_and_quadrature()
    {
        var a = new EmaProfile(3e5, 4.5);
        var b = new EmaProfile(7e5, 11.0);
        PostHocEmaSolver.InnerProduct(a, b).Should().BeApproximately(PostHocEmaSolver.InnerProduct(b, a), 1e-18);
        // ⟨p, p⟩ = (γ+1)² / ((2γ+1)·t).
        PostHocEmaSolver.InnerProduct(a, a).Should().BeApproximately(5.5 * 5.5 / (10 * 3e5), 1e-18);

        // Midpoint quadrature of ∫₀^{t_a} p_a·p_b dτ (p_a vanishes beyond t_a < t_b).
        const int steps = 200_000;
        double h = a.Time / steps;
        double sum = 0;
        for (int i = 0; i < steps; i++)
        {
            double tau = (i + 0.5) * h;
            double pa = (a.Gamma + 1) * Math.Pow(tau, a.Gamma) / Math.Pow(a.Time, a.Gamma + 1);
            double pb = (b.Gamma + 1) * Math.Pow(tau, b.Gamma) / Math.Pow(b.Time, b.Gamma + 1);
            sum += pa * pb * h;
        }

        PostHocEmaSolver.InnerProduct(a, b).Should().BeApproximately(sum, 1e-9 * sum);
    }

    [Fact]
    public void A_single_snapshot_with_the_target_profile_gets_weight_one()
    {
        var p = new EmaProfile(1_000_000, Gamma05);
        double[,] x = PostHocEmaSolver.Solve([p], [p]);
        x[0, 0].Should().BeApproximately(1, 1e-15);
    }

    [Fact]
    public void A_target_equal_to_a_stored_profile_reproduces_that_snapshot()
    {
        List<EmaProfile> snapshots = Grid(12, 50_000);
        int[] picks = [0, 5, 13, 22, 23];
        double[,] x = PostHocEmaSolver.Solve(snapshots, [.. picks.Select(i => snapshots[i])]);
        for (int k = 0; k < picks.Length; k++)
        {
            for (int i = 0; i < snapshots.Count; i++)
            {
                x[i, k].Should().BeApproximately(i == picks[k] ? 1 : 0, 1e-6, $"target {k} (snapshot {picks[k]}), weight of snapshot {i}");
            }
        }
    }

    [Fact]
    public void Columns_sum_to_one_and_the_fitted_profile_is_close_in_L2()
    {
        List<EmaProfile> snapshots = Grid(20, 100_000);
        EmaProfile[] targets = [.. new[] { 0.04, 0.075, 0.12, 0.2 }.Select(s => EmaProfile.FromSigmaRel(2_000_000, s))];
        double[,] x = PostHocEmaSolver.Solve(snapshots, targets);
        for (int k = 0; k < targets.Length; k++)
        {
            double sum = 0;
            for (int i = 0; i < snapshots.Count; i++)
            {
                sum += x[i, k];
            }

            sum.Should().BeApproximately(1, 1e-12);

            // Measured: 0.68 % (σ_rel 0.04), 0.23 % (0.075), 1.55 % (0.2, far outside the stored 0.05–0.10).
            RelativeL2Error(snapshots, x, k, targets[k]).Should().BeLessThan(0.02, $"σ_rel {targets[k].SigmaRel}");
        }

        // σ_rel 0.075 between the stored widths: 0.226 % relative L2 error, as the exact rational solution of the same
        // normal equations gives (Python fractions, Gaussian elimination), and the same weights.
        RelativeL2Error(snapshots, x, 1, targets[1]).Should().BeApproximately(0.0022590546, 1e-8);
        double[] exactLastFour = [0.040813265595649045, -0.0938396897885398, 0.24472171288704517, 0.8736788497040221];
        for (int j = 0; j < 4; j++)
        {
            x[snapshots.Count - 4 + j, 1].Should().BeApproximately(exactLastFour[j], 1e-9);
        }

        x[0, 1].Should().BeApproximately(0, 1e-12);
    }

    [Fact]
    public void Duplicated_snapshots_and_ill_conditioning_are_handled()
    {
        List<EmaProfile> snapshots = Grid(30, 10_000);
        snapshots.Add(snapshots[^1]);
        snapshots.Add(snapshots[^2]);
        EmaProfile target = EmaProfile.FromSigmaRel(300_000, 0.075);
        double[,] x = PostHocEmaSolver.Solve(snapshots, [target]);
        for (int i = 0; i < snapshots.Count; i++)
        {
            double.IsFinite(x[i, 0]).Should().BeTrue();
        }

        RelativeL2Error(snapshots, x, 0, target).Should().BeLessThan(2e-3);
    }

    [Fact]
    public void Invalid_profiles_are_rejected()
    {
        FluentActions.Invoking(() => PostHocEmaSolver.Solve([], [new EmaProfile(1, 1)])).Should().Throw<ArgumentException>().WithMessage("*at least one snapshot*");
        FluentActions.Invoking(() => PostHocEmaSolver.Solve([new EmaProfile(0, 1)], [new EmaProfile(1, 1)])).Should().Throw<ArgumentException>().WithMessage("*time*");
        FluentActions.Invoking(() => PostHocEmaSolver.Solve([new EmaProfile(1, -0.7)], [new EmaProfile(1, 1)])).Should().Throw<ArgumentException>().WithMessage("*γ*");
    }

    /// <summary>‖Σ X_i p_i − q‖ / ‖q‖ from inner products alone.</summary>
    private static double RelativeL2Error(List<EmaProfile> snapshots, double[,] x, int k, EmaProfile q)
    {
        double qq = PostHocEmaSolver.InnerProduct(q, q);
        double cross = 0;
        double fit = 0;
        for (int i = 0; i < snapshots.Count; i++)
        {
            cross += x[i, k] * PostHocEmaSolver.InnerProduct(snapshots[i], q);
            for (int j = 0; j < snapshots.Count; j++)
            {
                fit += x[i, k] * x[j, k] * PostHocEmaSolver.InnerProduct(snapshots[i], snapshots[j]);
            }
        }

        return Math.Sqrt(Math.Max(qq - 2 * cross + fit, 0) / qq);
    }
}
