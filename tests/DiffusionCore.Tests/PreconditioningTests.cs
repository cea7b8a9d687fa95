using DiffusionCore.Denoisers;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

public class PreconditioningTests
{
    private static readonly double[] Sigmas = [0.002, 0.05, 0.5, 1, 3.7, 80];

    private static (double[] Skip, double[] Out, double[] In, double[] Noise) Eval(Preconditioning p, double[] sigmas)
    {
        using var scope = new TensorScope();
        PreconditioningCoefficients c = p.Coefficients(Tensor.FromArray(sigmas));
        return (c.CSkip.ToArray<double>(), c.COut.ToArray<double>(), c.CIn.ToArray<double>(), c.CNoise.ToArray<double>());
    }

    private static void Close(double actual, double expected) => actual.Should().BeApproximately(expected, 1e-12 * Math.Max(1, Math.Abs(expected)));

    [Fact]
    public void Edm_coefficients_match_table_1()
    {
        var p = new EdmPreconditioning(0.5);
        var (skip, outc, inc, noise) = Eval(p, Sigmas);
        for (int i = 0; i < Sigmas.Length; i++)
        {
            double s = Sigmas[i];
            Close(skip[i], 0.25 / ((s * s) + 0.25));
            Close(outc[i], s * 0.5 / Math.Sqrt((s * s) + 0.25));
            Close(inc[i], 1 / Math.Sqrt((s * s) + 0.25));
            Close(noise[i], Math.Log(s) / 4);

            // Unit-variance network input and training target (Karras et al. 2022, Appendix B.6).
            Close(inc[i] * inc[i] * ((s * s) + 0.25), 1);
            Close(((Math.Pow(1 - skip[i], 2) * 0.25) + (skip[i] * skip[i] * s * s)) / (outc[i] * outc[i]), 1);
        }

        p.SigmaMin.Should().Be(0);
        p.SigmaMax.Should().Be(double.PositiveInfinity);
    }

    [Fact]
    public void Vp_coefficients_and_sigma_range_match_table_1()
    {
        var p = new VpPreconditioning();
        var (skip, outc, inc, noise) = Eval(p, Sigmas);
        for (int i = 0; i < Sigmas.Length; i++)
        {
            double s = Sigmas[i];
            Close(skip[i], 1);
            Close(outc[i], -s);
            Close(inc[i], 1 / Math.Sqrt((s * s) + 1));
            double t = (Math.Sqrt((0.1 * 0.1) + (2 * 19.9 * Math.Log(1 + (s * s)))) - 0.1) / 19.9;
            noise[i].Should().BeApproximately(999 * t, 1e-9);
        }

        // σ ∈ [σ(ε_t), σ(1)] = [0.001, 152]: σ(10⁻⁵) = √(e^{½·19.9·10⁻¹⁰ + 10⁻⁶} − 1), σ(1) = √(e^{10.05} − 1).
        p.SigmaMin.Should().BeApproximately(Math.Sqrt(Math.Exp((0.5 * 19.9 * 1e-10) + 1e-6) - 1), 1e-15);
        p.SigmaMin.Should().BeApproximately(0.001, 1e-6);
        p.SigmaMax.Should().BeApproximately(Math.Sqrt(Math.Exp(10.05) - 1), 1e-9);
        p.SigmaMax.Should().BeApproximately(152.17, 0.01);
    }

    [Fact]
    public void Ve_coefficients_and_sigma_range_match_table_1()
    {
        var p = new VePreconditioning();
        var (skip, outc, inc, noise) = Eval(p, Sigmas);
        for (int i = 0; i < Sigmas.Length; i++)
        {
            Close(skip[i], 1);
            Close(outc[i], Sigmas[i]);
            Close(inc[i], 1);
            Close(noise[i], Math.Log(Sigmas[i] / 2));
        }

        p.SigmaMin.Should().Be(0.02);
        p.SigmaMax.Should().Be(100);
    }

    [Fact]
    public void Iddpm_coefficients_use_the_nearest_u_index()
    {
        var p = new IddpmPreconditioning();
        IddpmUTable u = p.Table;
        double[] sigmas = [u[0], u[17] * 1.001, u[500], u[999]];
        var (skip, outc, inc, noise) = Eval(p, sigmas);
        noise.Should().Equal(999 - 0, 999 - 17, 999 - 500, 999 - 999);
        for (int i = 0; i < sigmas.Length; i++)
        {
            Close(skip[i], 1);
            Close(outc[i], -sigmas[i]);
            Close(inc[i], 1 / Math.Sqrt((sigmas[i] * sigmas[i]) + 1));
        }

        p.SigmaMin.Should().Be(u[999]);
        p.SigmaMax.Should().Be(u[0]);
        p.RoundSigma(u[42] * 0.9999).Should().Be(u[42]);
    }

    [Fact]
    public void Epsilon_and_v_adapters_label_schedule_sigmas_with_their_timesteps()
    {
        var schedule = DiscreteSchedule.Linear();
        double[] sigmas = [schedule.Sigmas[0], schedule.Sigmas[250], schedule.Sigmas[999]];
        foreach (TimestepRounding rounding in Enum.GetValues<TimestepRounding>())
        {
            var (skip, outc, inc, noise) = Eval(new EpsilonPredictionPreconditioning(schedule, rounding), sigmas);
            noise[0].Should().BeApproximately(0, 1e-9);
            noise[1].Should().BeApproximately(250, 1e-9);
            noise[2].Should().BeApproximately(999, 1e-9);
            for (int i = 0; i < 3; i++)
            {
                Close(skip[i], 1);
                Close(outc[i], -sigmas[i]);
                Close(inc[i], 1 / Math.Sqrt((sigmas[i] * sigmas[i]) + 1));
            }

            var (vSkip, vOut, vIn, vNoise) = Eval(new VPredictionPreconditioning(schedule, rounding), sigmas);
            vNoise[1].Should().BeApproximately(250, 1e-9);
            for (int i = 0; i < 3; i++)
            {
                double s = sigmas[i];
                Close(vSkip[i], 1 / ((s * s) + 1));
                Close(vOut[i], -s / Math.Sqrt((s * s) + 1));
                Close(vIn[i], 1 / Math.Sqrt((s * s) + 1));
            }
        }
    }

    [Fact]
    public void Invalid_constants_are_rejected()
    {
        FluentActions.Invoking(() => new EdmPreconditioning(0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*σ_data*");
        FluentActions.Invoking(() => new VePreconditioning(1, 0.5)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new VpPreconditioning(epsilonT: 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ε_t*");
        using var scope = new TensorScope();
        FluentActions.Invoking(() => new EdmPreconditioning().Coefficients(Tensor.Zeros([2, 2]))).Should().Throw<ArgumentException>().WithMessage("*vector [B]*");
    }
}
