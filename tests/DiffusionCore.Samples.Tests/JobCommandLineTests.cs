using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using DiffusionCore.Guidance;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Samples.FashionMnist;
using DiffusionCore.Torch;

namespace DiffusionCore.Samples.Tests;

/// <summary>The Fashion-MNIST job's command line, parsed in process with a job that only records what it is given.</summary>
public sealed class JobCommandLineTests
{
    private static readonly string[] RunOptions =
    [
        "--run", "--out", "--seed", "--images", "--minutes", "--batch", "--channels", "--blocks", "--lr", "--label-dropout",
        "--sigma-rel", "--sampler", "--steps", "--guidance", "--per-class", "--eval-samples", "--sample-batch", "--threads",
        "--precision", "--profile", "--objective", "--guide", "--guide-channels", "--guide-share", "--snapshots", "--sigma-rel-grid",
        "--guidance-grid", "--sweep-samples", "--guidance-interval", "--min-agreement",
    ];

    private readonly List<(JobCommand Command, JobOptions Options)> _calls = [];

    [Fact]
    public void Help_lists_every_command_and_option_with_the_defaults()
    {
        (int exit, string output, _) = Run("--help");

        exit.Should().Be(0);
        _calls.Should().BeEmpty();
        foreach (string option in RunOptions) output.Should().Contain(option + " ");
        foreach (string command in new[] { "run", "train", "posthoc", "sample", "evaluate" }) output.Should().MatchRegex($"(?m)^  {command} ");
        HelpLine(output, "--images").Should().Contain($"[default: {JobOptions.Defaults.Images}]");
        HelpLine(output, "--lr").Should().Contain($"[default: {JobOptions.Defaults.LearningRate.ToString(CultureInfo.InvariantCulture)}]");
        HelpLine(output, "--sampler").Should().Contain("<heun|euler|dpm2m|unipc|unipc3|lms|euler-ancestral|dpm2m-sde|dpm3m-sde>");
        HelpLine(output, "--sigma-rel-grid").Should().Contain($"[default: {JobOptions.Defaults.SigmaRelGrid}]");
        OptionHelp(output, "--guidance-interval").Should().StartWith("--guidance-interval <lo,hi|always> guide only").And.EndWith("[default: always]");
        OptionHelp(output, "--min-agreement").Should().StartWith("--min-agreement <").And.EndWith("[default: 0]");
        Run("evaluate", "--help").Output.Should().Contain("--folder ");
    }

    [Fact]
    public void No_arguments_run_every_stage_with_the_defaults()
    {
        Run().Exit.Should().Be(0);

        _calls.Should().Equal((JobCommand.Run, JobOptions.Defaults));
    }

    [Theory]
    [InlineData("run", nameof(JobCommand.Run))]
    [InlineData("train", nameof(JobCommand.Train))]
    [InlineData("posthoc", nameof(JobCommand.PostHoc))]
    [InlineData("sample", nameof(JobCommand.Sample))]
    [InlineData("evaluate", nameof(JobCommand.Evaluate))]
    public void Each_command_without_options_gets_the_defaults(string name, string command)
    {
        Run(name).Exit.Should().Be(0);

        _calls.Should().Equal((Enum.Parse<JobCommand>(command), JobOptions.Defaults));
    }

    [Fact]
    public void Options_are_read_into_typed_values()
    {
        Run("sample", "--sampler", "dpm2m", "--sample-batch", "48", "--precision", "bf16", "--guidance", "1.5", "--steps", "32",
            "--run", "r", "--out", "o", "--seed", "7", "--channels", "64").Exit.Should().Be(0);
        Run("run", "--images", "6e5", "--minutes", "30", "--sample-batch", "auto", "--profile", "--label-dropout", "0").Exit.Should().Be(0);

        _calls.Should().Equal(
            (JobCommand.Sample, JobOptions.Defaults with
            {
                Sampler = SamplerKind.Dpm2m, SampleBatch = 48, Precision = ComputePrecision.BFloat16, Guidance = 1.5, GuidanceGrid = new ValueList(1.5), Steps = 32,
                RunDirectory = "r", OutputDirectory = "o", Seed = 7, Channels = 64,
            }),
            (JobCommand.Run, JobOptions.Defaults with { Images = 600_000, Minutes = 30, SampleBatch = null, Profile = true, LabelDropout = 0 }));
    }

    [Fact]
    public void Sweep_grids_are_read_and_a_value_given_alone_is_not_swept()
    {
        Run("run", "--sigma-rel-grid", "0.05, 0.1", "--guidance-grid", "1,2.5", "--objective", "flow", "--sampler", "dpm3m-sde", "--guide", "auto").Exit.Should().Be(0);
        Run("run", "--sigma-rel", "0.12", "--guidance", "2.5").Exit.Should().Be(0);
        Run("sample", "--sigma-rel", "0.12").Exit.Should().Be(0);

        _calls.Should().Equal(
            (JobCommand.Run, JobOptions.Defaults with
            {
                SigmaRelGrid = new ValueList(0.05, 0.1), GuidanceGrid = new ValueList(1, 2.5), Objective = ObjectiveKind.Flow,
                Sampler = SamplerKind.Dpm3mSde, Guide = GuideKind.Auto,
            }),
            (JobCommand.Run, JobOptions.Defaults with
            {
                SigmaRel = 0.12, Guidance = 2.5, SigmaRelGrid = new ValueList(0.12), GuidanceGrid = new ValueList(2.5),
            }),
            (JobCommand.Sample, JobOptions.Defaults with { SigmaRel = 0.12, SigmaRelGrid = new ValueList(0.12) }));
    }

    [Fact]
    public void The_guidance_interval_and_the_least_agreement_are_read()
    {
        Run("run", "--guidance-interval", "0.3,5", "--min-agreement", "0.95").Exit.Should().Be(0);
        Run("sample", "--guidance-interval", "0, Infinity").Exit.Should().Be(0);
        Run("run", "--guidance-interval", "always").Exit.Should().Be(0);

        _calls.Should().Equal(
            (JobCommand.Run, JobOptions.Defaults with { GuidanceInterval = new GuidanceInterval(0.3, 5), MinAgreement = 0.95 }),
            (JobCommand.Sample, JobOptions.Defaults with { GuidanceInterval = new GuidanceInterval(0, double.PositiveInfinity) }),
            (JobCommand.Run, JobOptions.Defaults));
        JobOptions.Defaults.GuidanceInterval.Should().Be(GuidanceInterval.Always, "without the option guidance applies at every σ, as before");
        GuidanceIntervalOption.Format(new GuidanceInterval(0.3, 5)).Should().Be("0.3,5");
        GuidanceIntervalOption.Format(GuidanceInterval.Always).Should().Be("always");
    }

    [Theory]
    [InlineData("--imagez", "5")]
    [InlineData("sample", "--min-agreement", "0.9")]
    [InlineData("posthoc", "--images", "5")]
    [InlineData("evaluate", "--sampler", "euler")]
    public void An_unknown_option_exits_2_naming_it(params string[] args)
    {
        (int exit, _, string error) = Run(args);

        exit.Should().Be(CommandLineApp.UsageErrorExitCode);
        error.Should().Contain($"'{args[^2]}'");
        _calls.Should().BeEmpty();
    }

    [Theory]
    [InlineData("--images", "abc", "--images needs an integer, not 'abc'")]
    [InlineData("--lr", "1,5", "--lr needs a number, not '1,5'")]
    [InlineData("--guidance", "NaN", "--guidance needs a number, not 'NaN'")]
    [InlineData("--batch", "0", "--batch must be positive, not 0")]
    [InlineData("--minutes", "-1", "--minutes must be positive, not -1")]
    [InlineData("--label-dropout", "1", "--label-dropout must be in [0, 1), not 1")]
    [InlineData("--seed", "-3", "--seed must be >= 0, not -3")]
    [InlineData("--sample-batch", "0", "--sample-batch takes auto or a positive integer, not 0")]
    [InlineData("--sampler", "ddim", "--sampler is one of heun, euler, dpm2m, unipc, unipc3, lms, euler-ancestral, dpm2m-sde, dpm3m-sde, not 'ddim'")]
    [InlineData("--objective", "ddpm", "--objective is one of edm2, flow, not 'ddpm'")]
    [InlineData("--guide", "pag", "--guide is one of cfg, auto, not 'pag'")]
    [InlineData("--sigma-rel-grid", "0.05,0.5", "--sigma-rel-grid: each value must be in (0, 0.28]")]
    [InlineData("--sigma-rel-grid", "0.05,abc", "--sigma-rel-grid takes numbers separated by commas, not '0.05,abc'")]
    [InlineData("--sigma-rel-grid", "0.05,0.1,0.05", "--sigma-rel-grid lists 0.05 twice")]
    [InlineData("--sigma-rel", "0", "--sigma-rel must be in (0, 0.28]")]
    [InlineData("--guidance-grid", "2,0.5", "--guidance-grid: each value must be at least 1 (1 = no guidance), not 0.5")]
    [InlineData("--guide-share", "1", "--guide-share must be in (0, 1), not 1")]
    [InlineData("--guidance-interval", "5,0.3", "--guidance-interval needs 0 ≤ LO < HI (guidance applies for LO ≤ σ ≤ HI), not '5,0.3'")]
    [InlineData("--guidance-interval", "1,1", "--guidance-interval needs 0 ≤ LO < HI")]
    [InlineData("--guidance-interval", "-1,5", "--guidance-interval needs 0 ≤ LO < HI")]
    [InlineData("--guidance-interval", "0.3", "--guidance-interval takes two σ values LO,HI (e.g. 0.3,5) or always, not '0.3'")]
    [InlineData("--guidance-interval", "0.3,NaN", "--guidance-interval takes two σ values LO,HI")]
    [InlineData("--guidance-interval", "a,b", "--guidance-interval takes two σ values LO,HI")]
    [InlineData("--min-agreement", "1.5", "--min-agreement must be in [0, 1], not 1.5")]
    [InlineData("--min-agreement", "-0.1", "--min-agreement must be in [0, 1], not -0.1")]
    [InlineData("--precision", "fp16", "--precision is one of auto, fp32, bf16, not 'fp16'")]
    public void A_malformed_value_exits_2_naming_the_option(string option, string value, string message)
    {
        (int exit, _, string error) = Run("run", option, value);

        exit.Should().Be(CommandLineApp.UsageErrorExitCode);
        error.Should().Contain(message);
        _calls.Should().BeEmpty();
    }

    [Fact]
    public void An_option_without_its_value_exits_2_naming_it()
    {
        (int exit, _, string error) = Run("--images");

        exit.Should().Be(CommandLineApp.UsageErrorExitCode);
        error.Should().Contain("'--images'");
    }

    /// <summary>An option's help, its description wrapped or not, with runs of white space made one space.</summary>
    private static string OptionHelp(string help, string option)
    {
        string flat = Regex.Replace(help, @"\s+", " ");
        int start = flat.IndexOf(" " + option + " ", StringComparison.Ordinal) + 1;
        Match next = Regex.Match(flat[(start + option.Length)..], @" -[-?a-z]");   // the next option, or -?, -h, --help
        return flat[start..(start + option.Length + next.Index)];
    }

    private static string HelpLine(string help, string option) =>
        help.Split('\n').Single(line => line.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));

    private (int Exit, string Output, string Error) Run(params string[] args)
    {
        RootCommand root = JobCommandLine.Create((command, options) =>
        {
            _calls.Add((command, options));
            return 0;
        });
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = CommandLineApp.Run(root, args, new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
