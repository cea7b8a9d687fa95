using DiffusionCore.NoiseLevels;
using DiffusionCore.Torch;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Training.Tests.Losses;

/// <summary>The resolution shift of the training σ distribution (docs/recipes.md §6): σ' = s·σ, exactly.</summary>
public class ShiftedNoiseLevelsTests
{
    private static double[] Draw(INoiseLevelDistribution d, ulong seed)
    {
        using var scope = new TensorScope();
        using var g = new Generator(seed);
        return d.Sample(4096, g).To(DType.Float64).ToArray<double>();
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    [InlineData(4.0)]
    public void Every_draw_is_the_inner_draw_times_the_shift(double shift)
    {
        var inner = new LogNormalNoiseLevels(-1.2, 1.2);
        double[] plain = Draw(inner, 11);
        double[] shifted = Draw(new ShiftedNoiseLevels(inner, shift), 11);
        shifted.Should().Equal(plain.Select(s => (double)(float)(s * shift)), (a, b) => Math.Abs(a - b) <= 1e-6 * b);
    }

    [Fact]
    public void For_a_log_normal_it_is_the_same_as_adding_ln_s_to_p_mean()
    {
        double[] shifted = Draw(new ShiftedNoiseLevels(new LogNormalNoiseLevels(-1.2, 1.2), 2), 5);
        double[] moved = Draw(new LogNormalNoiseLevels(-1.2 + Math.Log(2), 1.2), 5);
        shifted.Should().Equal(moved, (a, b) => Math.Abs(a - b) <= 1e-5 * b);
    }

    [Fact]
    public void The_edm_losses_train_on_the_distribution_they_are_given()
    {
        var shifted = new ShiftedNoiseLevels(new LogNormalNoiseLevels(-1.2, 1.2), 2);
        new EdmLoss(new ScalingDenoiser(0.5), shifted).NoiseLevels.Should().BeSameAs(shifted);
        new Edm2Loss(new FixedUncertaintyDenoiser(0.5, [0.3f]), shifted).NoiseLevels.Should().BeSameAs(shifted);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_shift_that_is_not_positive_and_finite_is_refused(double shift)
    {
        Action create = () => _ = new ShiftedNoiseLevels(new LogNormalNoiseLevels(), shift);
        create.Should().Throw<ArgumentOutOfRangeException>();
    }
}
