using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Training.Tests.Losses;

public class DiscreteLossTests
{
    private static readonly double[] Betas = [0.1, 0.2, 0.3];
    private static readonly float[] Y = [0.3f, -0.2f, -1f, 1f];            // two samples of 1×1×2 (edges at ±1 in sample 1)
    private static readonly float[] Eps = [0.5f, -1.1f, 0.25f, 0.8f];
    private static readonly float[] EpsHat = [0.4f, -0.9f, 0.1f, 1.0f];
    private static readonly float[] V = [0.2f, -0.6f, 0.9f, -0.3f];
    private static readonly long[] T = [2, 0];

    private static double Cdf(double x) => 0.5 * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x * x * x))));

    /// <summary>L_t in bits/dim for one sample, computed by hand from the improved-DDPM formulas.</summary>
    private static double HandVb(int b)
    {
        double[] abar = [0.9, 0.72, 0.504];
        long t = T[b];
        double ab = abar[t], abPrev = t == 0 ? 1 : abar[t - 1], beta = Betas[t];
        double postVar1 = Betas[1] * (1 - abar[0]) / (1 - abar[1]);
        double minLog = t == 0 ? Math.Log(postVar1) : Math.Log(beta * (1 - abPrev) / (1 - ab));
        double maxLog = Math.Log(beta);
        double c0 = beta * Math.Sqrt(abPrev) / (1 - ab), ct = (1 - abPrev) * Math.Sqrt(1 - beta) / (1 - ab);
        double sum = 0;
        for (int i = 0; i < 2; i++)
        {
            int k = (b * 2) + i;
            double xt = (Math.Sqrt(ab) * Y[k]) + (Math.Sqrt(1 - ab) * Eps[k]);
            double predX0 = (xt - (Math.Sqrt(1 - ab) * EpsHat[k])) / Math.Sqrt(ab);
            double modelMean = (c0 * predX0) + (ct * xt), trueMean = (c0 * Y[k]) + (ct * xt);
            double frac = (V[k] + 1) / 2, mlv = (frac * maxLog) + ((1 - frac) * minLog);
            if (t == 0)
            {
                double inv = Math.Exp(-0.5 * mlv), c = Y[k] - modelMean;
                double plus = Cdf(inv * (c + (1 / 255.0))), minus = Cdf(inv * (c - (1 / 255.0)));
                double logp = Y[k] < -0.999 ? Math.Log(Math.Max(plus, 1e-12))
                    : Y[k] > 0.999 ? Math.Log(Math.Max(1 - minus, 1e-12))
                    : Math.Log(Math.Max(plus - minus, 1e-12));
                sum += -logp;
            }
            else
            {
                sum += 0.5 * (-1 + mlv - minLog + Math.Exp(minLog - mlv) + ((trueMean - modelMean) * (trueMean - modelMean) * Math.Exp(-mlv)));
            }
        }

        return sum / 2 / Math.Log(2);
    }

    private static double HandMse(int b) =>
        Enumerable.Range(b * 2, 2).Select(k => (double)(EpsHat[k] - Eps[k]) * (EpsHat[k] - Eps[k])).Average();

    private static NoiseDraw Draw() => new(Tensor.Zeros([2]), Tensor.FromArray(Eps, 2, 1, 1, 2), Tensor.FromArray(T));

    private static Tensor Output() => Tensor.Cat([Tensor.FromArray(EpsHat, 2, 1, 1, 2), Tensor.FromArray(V, 2, 1, 1, 2)], 1);

    [Fact]
    public void Hybrid_loss_matches_hand_computed_kl_and_decoder_nll()
    {
        using var scope = new TensorScope();
        var network = new FixedOutputNetwork(Output());
        var loss = new AdmHybridLoss(network, new DiscreteSchedule(Betas));
        double[] got = loss.Compute(Tensor.FromArray(Y, 2, 1, 1, 2), Draw(), Conditioning.None).To(DType.Float64).ToArray<double>();
        for (int b = 0; b < 2; b++)
        {
            double expected = HandMse(b) + (0.001 * 3 * HandVb(b));
            got[b].Should().BeApproximately(expected, 2e-5 * Math.Max(1, Math.Abs(expected)), $"sample {b} (t = {T[b]})");
        }

        network.LastLabels!.ToArray<float>().Should().Equal(2f, 0f);
        float[] xt = network.LastInput!.ToArray<float>();
        xt[0].Should().BeApproximately((float)((Math.Sqrt(0.504) * Y[0]) + (Math.Sqrt(0.496) * Eps[0])), 1e-6f);
    }

    [Fact]
    public void Variational_term_alone_matches_by_hand_in_bits_per_dim()
    {
        using var scope = new TensorScope();
        var loss = new AdmHybridLoss(new FixedOutputNetwork(Output()), new DiscreteSchedule(Betas));
        Tensor y = Tensor.FromArray(Y, 2, 1, 1, 2);
        Tensor t = Tensor.FromArray(T);
        Tensor xt = Tensor.FromArray(
            Enumerable.Range(0, 4).Select(k =>
            {
                double ab = new[] { 0.9, 0.72, 0.504 }[T[k / 2]];
                return (float)((Math.Sqrt(ab) * Y[k]) + (Math.Sqrt(1 - ab) * Eps[k]));
            }).ToArray(), 2, 1, 1, 2);
        double[] vb = loss.VariationalBound(y, xt, t, Tensor.FromArray(EpsHat, 2, 1, 1, 2), Tensor.FromArray(V, 2, 1, 1, 2))
            .To(DType.Float64).ToArray<double>();
        vb[0].Should().BeApproximately(HandVb(0), 1e-5);
        vb[1].Should().BeApproximately(HandVb(1), 1e-5);
    }

    [Fact]
    public void Variational_term_stops_the_gradient_of_the_mean()
    {
        using var scope = new TensorScope();
        var loss = new AdmHybridLoss(new FixedOutputNetwork(Output()), new DiscreteSchedule(Betas));
        Tensor epsHat = Tensor.FromArray(EpsHat, 2, 1, 1, 2).RequiresGradInPlace();
        Tensor v = Tensor.FromArray(V, 2, 1, 1, 2).RequiresGradInPlace();
        Tensor y = Tensor.FromArray(Y, 2, 1, 1, 2);
        Tensor vb = loss.VariationalBound(y, y, Tensor.FromArray(new long[] { 1, 2 }), epsHat, v);
        vb.Sum().Backward();
        (epsHat.Grad is null || epsHat.Grad.Abs().Sum().ToDouble() == 0).Should().BeTrue();
        v.Grad!.Abs().Sum().ToDouble().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Ddpm_loss_is_the_per_sample_mean_squared_epsilon_error_and_ignores_a_variance_output()
    {
        using var scope = new TensorScope();
        var loss = new DdpmEpsilonLoss(new FixedOutputNetwork(Output()), new DiscreteSchedule(Betas));
        double[] got = loss.Compute(Tensor.FromArray(Y, 2, 1, 1, 2), Draw(), Conditioning.None).To(DType.Float64).ToArray<double>();
        got[0].Should().BeApproximately(HandMse(0), 1e-6);
        got[1].Should().BeApproximately(HandMse(1), 1e-6);
    }

    [Fact]
    public void Ddpm_draw_gives_uniform_timesteps_and_their_sigmas()
    {
        using var scope = new TensorScope();
        var schedule = new DiscreteSchedule(Betas);
        var loss = new DdpmEpsilonLoss(new FixedOutputNetwork(Output()), schedule);
        using var step = new TrainingStep(seed: 5, imagesSeen: 0, batch: [.. Enumerable.Range(0, 300)]);
        NoiseDraw d = loss.Draw([300, 1, 1, 2], step);
        long[] t = d.Timesteps!.ToArray<long>();
        t.Distinct().Order().Should().Equal(0, 1, 2);
        float[] s = d.Sigma.ToArray<float>();
        for (int i = 0; i < 5; i++) s[i].Should().BeApproximately((float)schedule.Sigmas[(int)t[i]], 1e-6f);
    }
}
