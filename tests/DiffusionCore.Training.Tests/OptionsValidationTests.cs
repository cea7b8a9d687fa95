using Microsoft.Extensions.Options;

namespace DiffusionCore.Training.Tests;

public class OptionsValidationTests
{
    private static TrainingOptions Valid() => new() { RunDirectory = "/tmp/run", TotalImages = 1000, BatchSize = 8 };

    [Fact]
    public void Valid_options_pass()
    {
        new TrainingOptionsValidator().Validate(null, Valid()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Every_problem_is_reported_with_a_clear_message()
    {
        TrainingOptions o = Valid();
        o.BatchSize = 10;
        o.AccumulationRounds = 3;
        o.LearningRate = -0.1;
        o.KeepCheckpoints = 0;
        o.RunDirectory = "";
        o.Beta2 = 1.0;
        o.GradientClipNorm = 0;
        o.Precision = (DiffusionCore.Torch.ComputePrecision)5;
        ValidateOptionsResult r = new TrainingOptionsValidator().Validate(null, o);
        r.Failed.Should().BeTrue();
        r.Failures.Should().Contain(m => m.Contains("BatchSize 10 is not divisible by AccumulationRounds 3"));
        r.Failures.Should().Contain(m => m.Contains("LearningRate is -0.1") && m.Contains("non-negative"));
        r.Failures.Should().Contain(m => m.Contains("KeepCheckpoints is 0"));
        r.Failures.Should().Contain(m => m.Contains("RunDirectory is empty"));
        r.Failures.Should().Contain(m => m.Contains("Beta2 is 1"));
        r.Failures.Should().Contain(m => m.Contains("GradientClipNorm is 0"));
        r.Failures.Should().Contain(m => m.Contains("Precision 5 is not one of Auto, Float32, BFloat16"));
        r.Failures.Should().HaveCount(7);
    }

    [Fact]
    public void ThrowIfInvalid_throws_an_options_validation_exception()
    {
        TrainingOptions o = Valid();
        o.TotalImages = 0;
        FluentActions.Invoking(() => TrainingOptionsValidator.ThrowIfInvalid(o))
            .Should().Throw<OptionsValidationException>().WithMessage("*TotalImages is 0*");
    }
}
