using DiffusionCore.Torch.Distributed;

namespace DiffusionCore.Distributed.Tests;

public sealed class EnvironmentTests
{
    private static DistributedEnvironment Read(params (string Key, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        return DistributedEnvironment.FromVariables(k => map.TryGetValue(k, out string? v) ? v : null);
    }

    [Fact]
    public void No_launch_variables_mean_a_single_process()
    {
        DistributedEnvironment env = Read();
        env.Should().Be(DistributedEnvironment.Single);
        env.IsDistributed.Should().BeFalse();
        env.IsRankZero.Should().BeTrue();
    }

    [Fact]
    public void Torchrun_variables_are_read()
    {
        DistributedEnvironment env = Read(("RANK", "5"), ("WORLD_SIZE", "8"), ("LOCAL_RANK", "1"), ("LOCAL_WORLD_SIZE", "4"), ("MASTER_ADDR", "10.0.0.7"), ("MASTER_PORT", "29511"));
        env.Should().Be(new DistributedEnvironment(5, 8, 1, 4, "10.0.0.7", 29511));
        env.IsDistributed.Should().BeTrue();
    }

    [Fact]
    public void Local_rank_defaults_to_one_machine()
    {
        DistributedEnvironment env = Read(("RANK", "1"), ("WORLD_SIZE", "2"), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", "29500"));
        env.LocalRank.Should().Be(1);
        env.LocalWorldSize.Should().Be(2);
    }

    [Theory]
    [InlineData("RANK", "1", null, null, "WORLD_SIZE is not set")]
    [InlineData("RANK", "2", "WORLD_SIZE", "2", "RANK is '2', but it must be an integer in 0..1")]
    [InlineData("RANK", "x", "WORLD_SIZE", "2", "RANK is 'x'")]
    [InlineData("RANK", "0", "WORLD_SIZE", "0", "WORLD_SIZE is '0', but it must be an integer in 1..")]
    [InlineData("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR is not set, but WORLD_SIZE is 2")]
    public void Invalid_variables_name_the_problem(string k1, string v1, string? k2, string? v2, string expected)
    {
        var vars = new List<(string, string)> { (k1, v1) };
        if (k2 is not null) vars.Add((k2, v2!));
        Action act = () => Read([.. vars]);
        act.Should().Throw<DistributedEnvironmentException>().WithMessage($"*{expected}*");
    }

    [Fact]
    public void Port_out_of_range_is_rejected()
    {
        Action act = () => Read(("RANK", "0"), ("WORLD_SIZE", "2"), ("MASTER_ADDR", "h"), ("MASTER_PORT", "70000"));
        act.Should().Throw<DistributedEnvironmentException>().WithMessage("*MASTER_PORT is '70000'*1..65535*");
    }
}
