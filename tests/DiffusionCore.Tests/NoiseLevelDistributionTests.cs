using DiffusionCore.NoiseLevels;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

public class NoiseLevelDistributionTests
{
    private const int N = 100_000;

    private static double[] Draw(INoiseLevelDistribution d, ulong seed, int n = N)
    {
        using var scope = new TensorScope();
        using var g = new Generator(seed);
        return d.Sample(n, g, DType.Float64).ToArray<double>();
    }

    private static (double Mean, double Std) Moments(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Sum() / (v.Length - 1)));
    }

    [Fact]
    public void Log_normal_has_the_requested_log_moments()
    {
        var (mean, std) = Moments(Draw(new LogNormalNoiseLevels(-1.2, 1.2), 1).Select(v => Math.Log(v)));
        mean.Should().BeApproximately(-1.2, 4 * 1.2 / Math.Sqrt(N));
        std.Should().BeApproximately(1.2, 4 * 1.2 / Math.Sqrt(2.0 * N));
    }

    [Fact]
    public void Vp_uniform_time_maps_back_to_uniform_t()
    {
        var d = new VpUniformTimeNoiseLevels();
        double[] t = Draw(d, 2).Select(s => VpNoiseLevel.Default.Time(s)).ToArray();
        t.Min().Should().BeGreaterThanOrEqualTo(1e-5 - 1e-9);
        t.Max().Should().BeLessThanOrEqualTo(1 + 1e-9);
        var (mean, std) = Moments(t);
        double width = 1 - 1e-5;
        mean.Should().BeApproximately((1 + 1e-5) / 2, 4 * (width / Math.Sqrt(12)) / Math.Sqrt(N));
        std.Should().BeApproximately(width / Math.Sqrt(12), 0.005);
    }

    [Fact]
    public void Ve_log_uniform_is_uniform_in_log_sigma()
    {
        double[] logs = Draw(new VeLogUniformNoiseLevels(0.02, 100), 3).Select(v => Math.Log(v)).ToArray();
        double lo = Math.Log(0.02), hi = Math.Log(100);
        logs.Min().Should().BeGreaterThanOrEqualTo(lo - 1e-12);
        logs.Max().Should().BeLessThanOrEqualTo(hi + 1e-12);
        Moments(logs).Mean.Should().BeApproximately((lo + hi) / 2, 4 * ((hi - lo) / Math.Sqrt(12)) / Math.Sqrt(N));
    }

    [Fact]
    public void Uniform_timesteps_draw_schedule_sigmas()
    {
        var schedule = DiscreteSchedule.Linear();
        var d = new UniformTimestepNoiseLevels(schedule);
        using var scope = new TensorScope();
        using var g = new Generator(4);
        long[] t = d.SampleTimesteps(N, g).ToArray<long>();
        t.Min().Should().BeGreaterThanOrEqualTo(0);
        t.Max().Should().BeLessThanOrEqualTo(999);
        Moments(t.Select(v => (double)v)).Mean.Should().BeApproximately(499.5, 4 * 288.7 / Math.Sqrt(N));
        double[] sigmas = d.SigmaOf(Tensor.FromArray(t[..10]), DType.Float64).ToArray<double>();
        sigmas.Should().Equal(t[..10].Select(v => schedule.Sigmas[(int)v]));
    }

    [Fact]
    public void Same_seed_gives_the_same_bits_and_different_seeds_differ()
    {
        INoiseLevelDistribution[] all = [new LogNormalNoiseLevels(), new VpUniformTimeNoiseLevels(), new VeLogUniformNoiseLevels(), new UniformTimestepNoiseLevels(DiscreteSchedule.Cosine())];
        foreach (INoiseLevelDistribution d in all)
        {
            Draw(d, 7, 64).Should().Equal(Draw(d, 7, 64));
            Draw(d, 7, 64).Should().NotEqual(Draw(d, 8, 64));
        }
    }

    [Fact]
    public void Dtype_and_generator_are_checked()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        new LogNormalNoiseLevels().Sample(3, g).DType.Should().Be(DType.Float32);
        FluentActions.Invoking(() => new LogNormalNoiseLevels().Sample(3, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new LogNormalNoiseLevels().Sample(3, g, DType.Int64)).Should().Throw<ArgumentException>().WithMessage("*floating point*");
        FluentActions.Invoking(() => new LogNormalNoiseLevels(pStd: 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*P_std*");
    }
}
