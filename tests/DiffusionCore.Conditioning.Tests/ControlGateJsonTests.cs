using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DiffusionCore.Control;
using DiffusionCore.Torch;

namespace DiffusionCore.Guidance.Tests;

/// <summary>A gate of the user's own, with its source-generated JSON contract.</summary>
public sealed record LinearTestGate(double Slope) : IControlGate
{
    public Tensor Evaluate(Tensor sigma) => sigma.Mul(Slope).Clamp(0, 1);
}

/// <summary>A gate nobody registers.</summary>
public sealed record UnregisteredTestGate(double Value) : IControlGate
{
    public Tensor Evaluate(Tensor sigma) => Tensor.Full(sigma.Shape, Value, sigma.DType, sigma.Device);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LinearTestGate))]
[JsonSerializable(typeof(UnregisteredTestGate))]
internal sealed partial class TestGateJsonContext : JsonSerializerContext;

public sealed class ControlGateJsonTests
{
    private static string Write(IControlGate gate, ControlGateRegistry? registry = null)
    {
        var converter = new ControlGateJsonConverter(registry ?? ControlGateRegistry.Default);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) converter.Write(writer, gate, JsonSerializerOptions.Default);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static IControlGate Read(string json, ControlGateRegistry? registry = null)
    {
        var converter = new ControlGateJsonConverter(registry ?? ControlGateRegistry.Default);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return converter.Read(ref reader, typeof(IControlGate), JsonSerializerOptions.Default);
    }

    public static TheoryData<IControlGate> BuiltInGates => new()
    {
        new CosineControlGate(), new CosineControlGate(0.05, 20), ConstantControlGate.Summed, ConstantControlGate.Off, new ConstantControlGate(0.25),
    };

    [Fact]
    public void Built_in_gates_are_written_with_their_kind_and_parameters()
    {
        Write(new CosineControlGate(0.2, 5)).Should().Be("{\"kind\":\"cosine\",\"sigma_low\":0.2,\"sigma_high\":5}");
        Write(new ConstantControlGate(0.25)).Should().Be("{\"kind\":\"constant\",\"value\":0.25}");
        ControlGateRegistry.Default.Kinds.Should().Contain(["constant", "cosine"]);
    }

    [Theory]
    [MemberData(nameof(BuiltInGates))]
    public void Built_in_gates_round_trip_to_an_equal_gate(IControlGate gate)
    {
        IControlGate read = Read(Write(gate));
        read.Should().BeOfType(gate.GetType());
        read.Should().Be(gate);
    }

    [Fact]
    public void Gates_are_equal_by_parameters()
    {
        new CosineControlGate(0.1, 10).Should().Be(new CosineControlGate());
        new CosineControlGate(0.1, 11).Should().NotBe(new CosineControlGate());
        new ConstantControlGate(1).Should().Be(ConstantControlGate.Summed);
        new ConstantControlGate(1).Should().NotBe(ConstantControlGate.Off);
    }

    [Fact]
    public void An_empty_object_from_files_written_before_gate_kinds_reads_as_the_default_gate()
    {
        Read("{}").Should().Be(new CosineControlGate());
    }

    [Fact]
    public void An_unregistered_gate_fails_at_write_time_naming_the_type_and_how_to_register_it()
    {
        Action write = () => Write(new UnregisteredTestGate(0.5));
        write.Should().Throw<InvalidOperationException>()
            .WithMessage("*UnregisteredTestGate is not registered*constant, cosine*ControlGateRegistry.Default.Register*JsonTypeInfo<UnregisteredTestGate>*");
    }

    [Fact]
    public void A_registered_gate_of_the_users_own_round_trips()
    {
        ControlGateRegistry registry = ControlGateRegistry.CreateWithBuiltIns();
        registry.Register("linear", TestGateJsonContext.Default.LinearTestGate);
        string json = Write(new LinearTestGate(0.5), registry);
        json.Should().Be("{\"kind\":\"linear\",\"slope\":0.5}");
        Read(json, registry).Should().Be(new LinearTestGate(0.5));
        registry.Kinds.Should().Equal("constant", "cosine", "linear");
        ControlGateRegistry.Default.Kinds.Should().NotContain("linear", "a fresh registry does not change the default one");
    }

    [Fact]
    public void A_kind_or_type_registered_twice_differently_is_refused()
    {
        ControlGateRegistry registry = ControlGateRegistry.CreateWithBuiltIns();
        Action takenKind = () => registry.Register("cosine", TestGateJsonContext.Default.LinearTestGate);
        takenKind.Should().Throw<ArgumentException>().WithMessage("*'cosine' is already registered for DiffusionCore.Control.CosineControlGate*");
        registry.Register("linear", TestGateJsonContext.Default.LinearTestGate);
        registry.Register("linear", TestGateJsonContext.Default.LinearTestGate);
        Action otherKind = () => registry.Register("ramp", TestGateJsonContext.Default.LinearTestGate);
        otherKind.Should().Throw<ArgumentException>().WithMessage("*LinearTestGate is already registered as 'linear'*");
    }

    [Theory]
    [InlineData("{\"kind\":\"nope\"}", "*Unknown control gate kind 'nope'*constant, cosine*Register*")]
    [InlineData("{\"sigma_low\":0.2}", "*needs a string 'kind'*")]
    [InlineData("{\"kind\":1}", "*needs a string 'kind'*")]
    [InlineData("[]", "*must be a JSON object*")]
    [InlineData("{\"kind\":\"cosine\",\"sigma_low\":0,\"sigma_high\":10}", "*'cosine' control gate's parameters are invalid*0 < σ_lo < σ_hi*")]
    [InlineData("{\"kind\":\"constant\",\"value\":2}", "*'constant' control gate's parameters are invalid*[0, 1]*")]
    [InlineData("{\"kind\":\"constant\",\"valu\":1}", "*valu*")]
    public void Bad_gate_json_is_refused_naming_the_problem(string json, string message)
    {
        Action read = () => Read(json);
        read.Should().Throw<JsonException>().WithMessage(message);
    }
}
