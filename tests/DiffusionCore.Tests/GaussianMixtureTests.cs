using DiffusionCore.Analytic;
using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

public class GaussianMixtureTests
{
    [Fact]
    public void Ideal_denoiser_matches_the_closed_form()
    {
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureReference.TwoD();
        using var g = new Generator(3);
        double[] sigmas = [0, 0.01, 0.3, 1, 5, 80];
        Tensor x = Tensor.Randn([sigmas.Length, 2], g, DType.Float64) * 2;
        double[] d = m.Denoise(x, Tensor.FromArray(sigmas)).ToArray<double>();
        double[] xs = x.ToArray<double>();
        for (int i = 0; i < sigmas.Length; i++)
        {
            double[] expected = MixtureReference.Denoise(m, xs[(2 * i)..(2 * i + 2)], sigmas[i]);
            d[2 * i].Should().BeApproximately(expected[0], 1e-12);
            d[(2 * i) + 1].Should().BeApproximately(expected[1], 1e-12);
        }

        // σ = 0 returns x; σ → ∞ returns the mixture mean.
        d[0].Should().BeApproximately(xs[0], 1e-15);
        double[] far = m.Denoise(x.Narrow(0, 0, 1), Tensor.FromArray(new[] { 1e6 })).ToArray<double>();
        far[0].Should().BeApproximately(m.Mean()[0], 1e-6);
        far[1].Should().BeApproximately(m.Mean()[1], 1e-6);
    }

    [Fact]
    public void Denoiser_keeps_shape_and_dtype_of_x()
    {
        using var scope = new TensorScope();
        using var m = GaussianMixture.Isotropic([1, 1], [[0, 0, 0, 0], [1, 1, 1, 1]], [0.5, 0.5]);
        Tensor x = Tensor.Zeros([3, 1, 2, 2]);
        Tensor d = m.Denoise(x, Tensor.Full([3], 0.7));
        d.Shape.Should().Equal(3, 1, 2, 2);
        d.DType.Should().Be(DType.Float32);
        FluentActions.Invoking(() => m.Denoise(Tensor.Zeros([3, 5]), Tensor.Full([3], 0.7))).Should().Throw<ArgumentException>().WithMessage("*D = 4*");
    }

    [Fact]
    public void Denoiser_is_batch_invariant_bit_for_bit()
    {
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureReference.TwoD();
        using var g = new Generator(9);
        const int n = 1537;
        Tensor x = Tensor.Randn([n, 2], g) * 3;
        Tensor sigma = (Tensor.Rand([n], g) * 5) + 0.01f;
        float[] full = m.Denoise(x, sigma).ToArray<float>();
        foreach (int size in new[] { 1, 3, 17, 256 })
        {
            for (int start = 0; start + size <= n; start += 397)
            {
                float[] part = m.Denoise(x.Narrow(0, start, size), sigma.Narrow(0, start, size)).ToArray<float>();
                part.Should().Equal(full.Skip(2 * start).Take(2 * size), $"rows {start}..{start + size - 1} evaluated as a batch of {size}");
            }
        }
    }

    [Fact]
    public void Samples_have_the_closed_form_moments_and_weights()
    {
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureReference.TwoD();
        using var g = new Generator(11);
        const int n = 50_000;
        (Tensor s, Tensor comps) = m.Sample(n, g);
        double[] mean = s.Mean([0L]).ToArray<double>();
        double[] trueMean = m.Mean();
        double[][] cov = m.Covariance();
        for (int j = 0; j < 2; j++)
        {
            mean[j].Should().BeApproximately(trueMean[j], 4 * Math.Sqrt(cov[j][j] / n));
        }

        Tensor centred = s - Tensor.FromArray(trueMean).Unsqueeze(0);
        double c01 = (centred.Select(1, 0) * centred.Select(1, 1)).Mean().ToDouble();
        c01.Should().BeApproximately(cov[0][1], 0.02);
        long[] counts = comps.OneHot(3).Sum([0L]).ToArray<long>();
        for (int k = 0; k < 3; k++)
        {
            double p = m.Weights[k];
            (counts[k] / (double)n).Should().BeApproximately(p, 4 * Math.Sqrt(p * (1 - p) / n));
        }

        // E[r_k(y; 0)] = w_k exactly.
        double[] meanResp = m.Responsibilities(s, Tensor.Zeros([n], DType.Float64)).Mean([0L]).ToArray<double>();
        meanResp.Sum().Should().BeApproximately(1, 1e-9);
        for (int k = 0; k < 3; k++) meanResp[k].Should().BeApproximately(m.Weights[k], 0.01);
    }

    [Fact]
    public void Class_conditional_denoiser_reads_labels_and_null_label()
    {
        using var scope = new TensorScope();
        using var a = GaussianMixture.Isotropic([1, 2], [[-2, 0], [-1, 1]], [0.3, 0.4]);
        using var b = GaussianMixture.Isotropic([1], [[2, 0.5]], [0.5]);
        using var cc = new ClassConditionalGaussianMixture([a, b], [0.25, 0.75]);
        cc.NullClass.Should().Be(2);
        Tensor x = Tensor.FromArray(new double[] { 0.1, 0.2, 0.1, 0.2, 0.1, 0.2 }, 3, 2);
        Tensor sigma = Tensor.Full([3], 0.8, DType.Float64);
        Conditioning c = Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 0, 1, 2 }));
        double[] d = cc.Denoise(x, sigma, c).ToArray<double>();
        double[] p = [0.1, 0.2];
        double[] da = MixtureReference.Denoise(a, p, 0.8);
        double[] db = MixtureReference.Denoise(b, p, 0.8);
        double[] du = MixtureReference.Denoise(cc.Marginal, p, 0.8);
        d[0].Should().BeApproximately(da[0], 1e-12);
        d[1].Should().BeApproximately(da[1], 1e-12);
        d[2].Should().BeApproximately(db[0], 1e-12);
        d[3].Should().BeApproximately(db[1], 1e-12);
        d[4].Should().BeApproximately(du[0], 1e-12);
        d[5].Should().BeApproximately(du[1], 1e-12);
        cc.Marginal.Weights.Should().Equal(new[] { 0.25 / 3, 0.5 / 3, 0.75 }, (l, r) => Math.Abs(l - r) < 1e-15);
        cc.Denoise(x, sigma, Conditioning.None).ToArray<double>()[..2].Should().Equal(d[4..6]);
        FluentActions.Invoking(() => cc.Denoise(x, sigma, Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 0, 3, 1 }))))
            .Should().Throw<ArgumentException>().WithMessage("*0..2*");
    }

    [Fact]
    public void Invalid_mixtures_are_rejected()
    {
        FluentActions.Invoking(() => new GaussianMixture([1], [[0, 0]], [[1]])).Should().Throw<ArgumentException>().WithMessage("*D = 2*");
        FluentActions.Invoking(() => GaussianMixture.Isotropic([1, -1], [[0], [1]], [1, 1])).Should().Throw<ArgumentException>().WithMessage("*weights[1]*");
        FluentActions.Invoking(() => GaussianMixture.Isotropic([1], [[0]], [0])).Should().Throw<ArgumentException>().WithMessage("*stds[0][0]*");
    }
}
