using DiffusionCore.Analytic;

namespace DiffusionCore.Tests;

/// <summary>Scalar C# reference of the Gaussian-mixture posterior mean, independent of the tensor implementation.</summary>
internal static class MixtureReference
{
    public static GaussianMixture TwoD() => new(
        [0.5, 0.3, 0.2],
        [[-1.0, -0.5], [1.0, 0.5], [0.0, 1.5]],
        [[0.4, 0.3], [0.35, 0.45], [0.3, 0.3]]);

    public static double[] Denoise(GaussianMixture m, double[] x, double sigma, double[]? logWeights = null)
    {
        int k = m.Components, d = m.Dimension;
        var logits = new double[k];
        for (int c = 0; c < k; c++)
        {
            double l = logWeights?[c] ?? Math.Log(m.Weights[c]);
            for (int j = 0; j < d; j++)
            {
                double v = (m.Stds[c][j] * m.Stds[c][j]) + (sigma * sigma);
                double diff = x[j] - m.Means[c][j];
                l += -0.5 * ((diff * diff / v) + Math.Log(v));
            }

            logits[c] = l;
        }

        double max = logits.Max();
        double[] r = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = r.Sum();
        var result = new double[d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                double s2 = m.Stds[c][j] * m.Stds[c][j];
                double post = m.Means[c][j] + (s2 / (s2 + (sigma * sigma)) * (x[j] - m.Means[c][j]));
                result[j] += r[c] / sum * post;
            }
        }

        return result;
    }
}
