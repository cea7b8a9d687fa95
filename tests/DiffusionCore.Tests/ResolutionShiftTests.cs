using DiffusionCore.Schedules;

namespace DiffusionCore.Tests;

public class ResolutionShiftTests
{
    [Fact]
    public void Shift_follows_sd3_equation_and_keeps_the_ends()
    {
        ResolutionShift.ShiftTime(0, 3).Should().Be(0);
        ResolutionShift.ShiftTime(1, 3).Should().Be(1);
        ResolutionShift.ShiftTime(0.5, 3).Should().BeApproximately(1.5 / 2, 1e-15);
        ResolutionShift.ShiftTime(0.3, 1).Should().Be(0.3);
        ResolutionShift.ShiftTime(0.3, 2).Should().BeGreaterThan(0.3);
    }

    [Fact]
    public void In_sigma_form_the_shift_scales_sigma()
    {
        foreach (double sigma in new[] { 0.002, 0.5, 1, 80 })
        {
            ResolutionShift.ShiftSigma(sigma, 2.5).Should().BeApproximately(2.5 * sigma, 1e-9 * sigma);
        }

        double[] shifted = ResolutionShift.ShiftSigmas(SigmaSchedules.Karras(5), 2);
        shifted[^1].Should().Be(0);
        shifted[0].Should().BeApproximately(160, 1e-9);
        SigmaSchedules.Validate(shifted);
    }

    [Fact]
    public void Factor_for_resolution_is_sqrt_of_pixel_ratio()
    {
        ResolutionShift.ForResolution(256, 256, 512, 512).Should().Be(2);
        FluentActions.Invoking(() => ResolutionShift.ShiftTime(0.5, 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*shift*");
    }
}
