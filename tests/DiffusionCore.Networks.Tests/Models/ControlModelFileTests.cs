using System.Text.Json;
using DiffusionCore.Control;
using DiffusionCore.Models;
using DiffusionCore.Networks.Control;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.Models;
using DiffusionCore.Networks.Tests.Edm;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Tests.Models;

/// <summary>Models with a control-metadata path (Berrada et al. 2024) in self-describing model files: the gate travels with its kind and parameters.</summary>
public sealed class ControlModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dc-controlfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<IControlGate> Gates => new()
    {
        new CosineControlGate(), new CosineControlGate(0.3, 4), ConstantControlGate.Summed, ConstantControlGate.Off, new ConstantControlGate(0.5),
    };

    /// <summary>
    /// A non-default gate per family, each live at the test's noise levels (0.1 … 10). The tiny ADM model is
    /// VP-preconditioned, whose noise labels the default σ-from-label conversion (EDM's) does not invert, so it gets a
    /// constant gate.
    /// </summary>
    private static IControlGate GateFor(string family) => family switch
    {
        "edm2" => new CosineControlGate(0.3, 4),
        "song-unet" => new CosineControlGate(0.05, 30),
        "dhariwal-unet" => new ConstantControlGate(0.5),
        _ => ConstantControlGate.Summed,
    };

    private static Tensor Denoise(IDenoiser denoiser, bool withControls)
    {
        using var scope = new TensorScope();
        using var g = new Generator(11);
        Tensor x = Tensor.Randn([4, 1, 8, 8], g) * 2;
        Tensor sigma = Tensor.FromArray(new[] { 0.1f, 0.7f, 2f, 10f });
        Conditioning c = Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 0, 1, 2, 1 }));
        if (withControls) c = c.With(ConditioningKeys.ControlMetadata, Tensor.Randn([4, 3], g));
        return denoiser.Denoise(x, sigma, c).MoveToOuterScope();
    }

    private static ControlConditioningOptions? StoredControl(ModelDescription d) => d.Family switch
    {
        Edm2UNetOptions.Family => Edm2UNetOptions.FromJson(d.Options).Control,
        SongUNetOptions.Family => SongUNetOptions.FromJson(d.Options).Control,
        DhariwalUNetOptions.Family => DhariwalUNetOptions.FromJson(d.Options).Control,
        _ => DiTOptions.FromJson(d.Options).Control,
    };

    [Theory]
    [MemberData(nameof(TinyModels.ControlFamilies), MemberType = typeof(TinyModels))]
    public void A_model_with_a_control_path_and_a_non_default_gate_loads_with_bit_identical_outputs(string family)
    {
        using var scope = new TensorScope();
        var control = new ControlConditioningOptions { Width = 3, Gate = GateFor(family) };
        using Module original = TinyModels.Create(family, seed: 5, control);
        TinyEdm.Randomize(original);   // the control MLP's output layer starts at zero; make every path live
        using (new NoGradScope())
        {
            foreach (Tensor p in original.Parameters().Where(p => p.Dim == 0)) p.FillInPlace(1);   // EDM2's zero-initialised gains
        }

        original.Eval();
        string path = Path.Combine(_dir, family + ".safetensors");
        ModelFile.Save(original, path);

        using DiffusionModel loaded = DiffusionModel.Load(path);
        StoredControl(loaded.Description).Should().Be(control);
        IDenoiser before = TinyModels.DenoiserOf(original);
        float[] expected = Denoise(before, withControls: true).ToArray<float>();
        expected.Should().NotEqual(Denoise(before, withControls: false).ToArray<float>(), "the controls must act for the comparison to test the gate");
        Denoise(loaded.Denoiser, withControls: true).ToArray<float>().Should().Equal(expected);
    }

    [Theory]
    [MemberData(nameof(Gates))]
    public void Options_with_a_control_path_round_trip_through_json_for_every_gate(IControlGate gate)
    {
        var control = new ControlConditioningOptions { Width = 5, Frequencies = 2, Gate = gate, Balance = 0.25 };
        DiTOptions dit = TinyModels.DiT with { Control = control };
        JsonElement json = dit.ToJson();
        json.GetProperty("control").GetProperty("gate").GetProperty("kind").GetString().Should().Be(gate is CosineControlGate ? "cosine" : "constant");
        DiTOptions.FromJson(json).Should().Be(dit);
        Edm2UNetOptions edm2 = TinyModels.Edm2 with { Control = control };
        Edm2UNetOptions.FromJson(edm2.ToJson()).Should().Be(edm2);
        SongUNetOptions.FromJson((TinyModels.Song with { Control = control }).ToJson()).Control.Should().Be(control);
        DhariwalUNetOptions.FromJson((TinyModels.Dhariwal with { Control = control }).ToJson()).Control.Should().Be(control);
    }

    [Fact]
    public void Options_written_before_gates_carried_their_kind_load_with_the_default_gate()
    {
        const string Old = """
            {"input_size":8,"patch_size":2,"in_channels":1,"hidden_size":32,"depth":2,"num_heads":2,"mlp_ratio":4,"num_classes":3,
             "control":{"width":3,"frequencies":4,"gate":{},"sigma_from_noise_label":null,"balance":0.5}}
            """;
        using JsonDocument doc = JsonDocument.Parse(Old);
        ControlConditioningOptions control = DiTOptions.FromJson(doc.RootElement).Control!;
        control.Should().Be(new ControlConditioningOptions { Width = 3 });
        control.Gate.Should().Be(new CosineControlGate());
    }

    [Fact]
    public void A_gate_of_an_unknown_kind_in_a_file_is_a_model_file_error_naming_the_kinds()
    {
        using JsonDocument doc = JsonDocument.Parse("""{"input_size":8,"patch_size":2,"in_channels":1,"hidden_size":32,"depth":2,"num_heads":2,"mlp_ratio":4,"num_classes":3,"control":{"width":3,"gate":{"kind":"ramp"}}}""");
        Action read = () => DiTOptions.FromJson(doc.RootElement);
        read.Should().Throw<ModelFileException>().WithMessage("*DiTOptions are malformed*Unknown control gate kind 'ramp'*constant, cosine*");
    }

    private sealed class UnregisteredGate : IControlGate
    {
        public Tensor Evaluate(Tensor sigma) => sigma.Clamp(0, 1);
    }

    [Fact]
    public void Saving_a_model_with_an_unregistered_gate_fails_naming_the_type_and_how_to_register_it()
    {
        using var scope = new TensorScope();
        using Module model = TinyModels.Create("song-unet", 1, new ControlConditioningOptions { Width = 3, Gate = new UnregisteredGate() });
        string path = Path.Combine(_dir, "custom.safetensors");
        Action save = () => ModelFile.Save(model, path);
        save.Should().Throw<InvalidOperationException>().WithMessage("*UnregisteredGate is not registered*ControlGateRegistry.Default.Register*");
        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void Saving_a_model_with_a_custom_noise_label_conversion_fails_instead_of_dropping_it()
    {
        using var scope = new TensorScope();
        var control = new ControlConditioningOptions { Width = 3, SigmaFromNoiseLabel = t => t.Exp() };
        using Module model = TinyModels.Create("dhariwal-unet", 1, control);
        Action save = () => ModelFile.Save(model, Path.Combine(_dir, "custom-sigma.safetensors"));
        save.Should().Throw<InvalidOperationException>().WithMessage("*SigmaFromNoiseLabel is a custom function*Leave it null*");
    }
}
