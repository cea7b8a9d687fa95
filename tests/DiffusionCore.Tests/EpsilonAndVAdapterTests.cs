using DiffusionCore.Analytic;
using DiffusionCore.Denoisers;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

/// <summary>
/// An ε- or v-prediction "network" built from the exact mixture denoiser: given the VP-scaled input and a timestep it
/// returns the exact ε or v. Wrapped by the adapters it must give back the mixture's own D(x; σ).
/// </summary>
public class EpsilonAndVAdapterTests
{
    private sealed class OracleNetwork(GaussianMixture mixture, DiscreteSchedule schedule, bool vPrediction) : IDiffusionNetwork
    {
        public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning)
        {
            double[] sigmas = noiseLabels.To(DType.Float64).ToArray<double>().Select(schedule.TimestepToSigma).ToArray();
            using var scope = new TensorScope();
            Tensor sigma = Tensor.FromArray(sigmas);
            Tensor alpha = PerSample.Broadcastable((sigma.Square() + 1).Rsqrt(), input.Dim);
            Tensor x = input.To(DType.Float64) / alpha;                       // undo c_in = 1/√(σ²+1)
            Tensor y = mixture.Denoise(x, sigma);
            Tensor s = PerSample.Broadcastable(sigma, input.Dim);
            Tensor eps = (x - y) / s;
            Tensor output = vPrediction ? (eps * alpha) - (y * s * alpha) : eps; // v = α·ε − σ_VP·y, σ_VP = σ·α
            return output.MoveToOuterScope();
        }
    }

    [Theory]
    [InlineData(false, TimestepRounding.Interpolated)]
    [InlineData(false, TimestepRounding.Nearest)]
    [InlineData(true, TimestepRounding.Interpolated)]
    public void Adapters_present_the_same_denoiser_as_the_mixture(bool vPrediction, TimestepRounding rounding)
    {
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureReference.TwoD();
        var schedule = DiscreteSchedule.Linear();
        var net = new OracleNetwork(m, schedule, vPrediction);
        var options = new PreconditionedDenoiserOptions { ComputeDType = DType.Float64 };
        PreconditionedDenoiser d = vPrediction
            ? PreconditionedDenoiser.VPrediction(net, schedule, rounding, options)
            : PreconditionedDenoiser.EpsilonPrediction(net, schedule, rounding, options);
        using var g = new Generator(4);
        double[] sigmas = rounding == TimestepRounding.Nearest
            ? [schedule.Sigmas[0], schedule.Sigmas[100], schedule.Sigmas[500], schedule.Sigmas[999]]
            : [schedule.SigmaMin, 0.37, 4.2, schedule.SigmaMax];
        Tensor sigma = Tensor.FromArray(sigmas);
        Tensor x = Tensor.Randn([4, 2], g, DType.Float64) * (sigma.Unsqueeze(1) + 1);
        double[] expected = m.Denoise(x, sigma).ToArray<double>();
        double[] actual = d.Denoise(x, sigma, Conditioning.None).ToArray<double>();
        for (int i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], 1e-8 * Math.Max(1, Math.Abs(expected[i])));
        }
    }
}
