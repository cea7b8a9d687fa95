using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

public class DiscreteScheduleTests
{
    [Fact]
    public void Linear_schedule_has_DiT_betas_and_sigma_form()
    {
        var s = DiscreteSchedule.Linear();
        s.Timesteps.Should().Be(1000);
        s.Betas[0].Should().BeApproximately(1e-4, 1e-15);
        s.Betas[999].Should().BeApproximately(0.02, 1e-15);
        double prod = 1;
        for (int t = 0; t < 1000; t++)
        {
            prod *= 1 - s.Betas[t];
            s.AlphasCumprod[t].Should().BeApproximately(prod, 1e-15);
            s.Sigmas[t].Should().BeApproximately(Math.Sqrt((1 - prod) / prod), 1e-12 * Math.Max(1, s.Sigmas[t]));
        }

        s.SigmaMin.Should().BeApproximately(Math.Sqrt(1e-4 / (1 - 1e-4)), 1e-12);
        s.SigmaMax.Should().BeApproximately(157.4, 0.1);
    }

    [Fact]
    public void Cosine_schedule_follows_nichol_dhariwal_equation_17()
    {
        var s = DiscreteSchedule.Cosine();
        static double F(double t) => Math.Pow(Math.Cos(((t / 1000) + 0.008) / 1.008 * Math.PI / 2), 2);
        for (int t = 0; t < 1000; t++)
        {
            s.Betas[t].Should().BeApproximately(Math.Min(1 - (F(t + 1) / F(t)), 0.999), 1e-12);
        }

        // Without clipping ᾱ_t = f(t+1)/f(0).
        s.AlphasCumprod[500].Should().BeApproximately(F(501) / F(0), 1e-9);
    }

    [Fact]
    public void Sigma_and_timestep_map_back_and_forth()
    {
        var s = DiscreteSchedule.Linear();
        foreach (int t in new[] { 0, 1, 250, 998, 999 })
        {
            s.SigmaToTimestep(s.Sigmas[t]).Should().BeApproximately(t, 1e-9);
            s.SigmaToTimestep(s.Sigmas[t], TimestepRounding.Nearest).Should().Be(t);
            s.TimestepToSigma(t).Should().BeApproximately(s.Sigmas[t], 1e-12 * s.Sigmas[t]);
        }

        double mid = s.TimestepToSigma(250.5);
        mid.Should().BeInRange(s.Sigmas[250], s.Sigmas[251]);
        s.SigmaToTimestep(mid).Should().BeApproximately(250.5, 1e-9);
    }

    [Fact]
    public void Tensor_sigma_to_timestep_matches_scalar()
    {
        using var scope = new TensorScope();
        var s = DiscreteSchedule.Cosine();
        double[] sigmas = [s.Sigmas[0], s.TimestepToSigma(10.25), s.Sigmas[600], s.TimestepToSigma(998.75), s.Sigmas[999], s.SigmaMax * 2, s.SigmaMin / 2];
        foreach (TimestepRounding r in Enum.GetValues<TimestepRounding>())
        {
            double[] t = s.SigmaToTimestep(Tensor.FromArray(sigmas), r).ToArray<double>();
            for (int i = 0; i < sigmas.Length; i++)
            {
                t[i].Should().BeApproximately(s.SigmaToTimestep(sigmas[i], r), 1e-9, $"σ = {sigmas[i]} with {r}");
            }
        }
    }

    [Fact]
    public void Nearest_timestep_is_the_brute_force_argmin_in_log_sigma()
    {
        var s = DiscreteSchedule.Cosine();
        var rng = new Random(3);
        for (int i = 0; i < 2000; i++)
        {
            double sigma = Math.Exp((rng.NextDouble() * 16) - 8);
            int brute = Enumerable.Range(0, 1000).MinBy(t => Math.Abs(Math.Log(s.Sigmas[t]) - Math.Log(sigma)));
            s.SigmaToTimestep(sigma, TimestepRounding.Nearest).Should().Be(brute);
            double frac = s.SigmaToTimestep(sigma);
            if (sigma > s.SigmaMin && sigma < s.SigmaMax) s.TimestepToSigma(frac).Should().BeApproximately(sigma, 1e-9 * sigma);
        }
    }

    [Fact]
    public void Tensor_timestep_to_sigma_matches_scalar()
    {
        using var scope = new TensorScope();
        var s = DiscreteSchedule.Linear();
        double[] t = [0, 0.5, 17.25, 998.9, 999];
        double[] sigma = s.TimestepToSigma(Tensor.FromArray(t)).ToArray<double>();
        for (int i = 0; i < t.Length; i++) sigma[i].Should().BeApproximately(s.TimestepToSigma(t[i]), 1e-12 * sigma[i]);
    }

    [Fact]
    public void Step_timesteps_follow_the_spacing_conventions()
    {
        var s = DiscreteSchedule.Linear();
        s.StepTimesteps(4, TimestepSpacing.Linspace).Should().Equal(999, 666, 333, 0);
        s.StepTimesteps(4, TimestepSpacing.Leading).Should().Equal(750, 500, 250, 0);
        s.StepTimesteps(4, TimestepSpacing.Trailing).Should().Equal(999, 749, 499, 249);
        double[] sigmas = s.StepSigmas(4);
        sigmas.Should().Equal(s.Sigmas[999], s.Sigmas[666], s.Sigmas[333], s.Sigmas[0], 0);
        SigmaSchedules.Validate(sigmas);
        FluentActions.Invoking(() => s.StepTimesteps(1001)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Invalid_betas_are_rejected()
    {
        FluentActions.Invoking(() => new DiscreteSchedule([0.1, 1.0])).Should().Throw<ArgumentException>().WithMessage("*β[1]*");
        FluentActions.Invoking(() => new DiscreteSchedule([0.1])).Should().Throw<ArgumentException>();
    }
}
