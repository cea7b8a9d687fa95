using System.Text.Json;
using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.Models;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Networks.Tests.Models;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dc-modelfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Tensor Denoise(IDenoiser denoiser, int seed)
    {
        using var g = new Generator((ulong)seed);
        Tensor x = Tensor.Randn([4, 1, 8, 8], g) * 2;
        Tensor sigma = Tensor.FromArray(new[] { 0.1f, 0.7f, 2f, 10f });
        Tensor labels = Tensor.FromArray(new long[] { 0, 1, 2, 1 });
        return denoiser.Denoise(x, sigma, Conditioning.FromClassLabels(labels));
    }

    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void Save_then_Load_rebuilds_the_network_with_bit_identical_outputs(string family)
    {
        using var scope = new TensorScope();
        using Module original = TinyModels.Create(family, seed: 7);
        original.Eval();
        string path = Path.Combine(_dir, family + ".safetensors");
        ModelFile.Save(original, path, emaSigmaRel: 0.1);

        using DiffusionModel loaded = DiffusionModel.Load(path);
        loaded.Module.GetType().Should().Be(original.GetType());
        loaded.Module.IsTraining.Should().BeFalse();
        loaded.Description.EmaSigmaRel.Should().Be(0.1);
        loaded.ClassLabelSpec.Should().Be(((IClassConditioned)TinyModels.DenoiserOf(original)).ClassLabelSpec);
        float[] expected = Denoise(TinyModels.DenoiserOf(original), 3).ToArray<float>();
        float[] actual = Denoise(loaded.Denoiser, 3).ToArray<float>();
        actual.Should().Equal(expected, "the same weights, options and preconditioning give the same bits");
    }

    [Fact]
    public void The_description_records_family_options_preconditioning_and_labels()
    {
        using var scope = new TensorScope();
        using Module model = TinyModels.Create("song-unet", 1);
        string path = Path.Combine(_dir, "song.safetensors");
        ModelFile.Save(model, path);

        ModelDescription d = ModelFile.ReadDescription(path)!;
        d.Schema.Should().Be(ModelDescription.CurrentSchema);
        d.Family.Should().Be("song-unet");
        d.Layout.Should().Be(ModelLayout.PreconditionedNetwork);
        d.Preconditioning!.Kind.Should().Be("edm");
        d.Preconditioning.SigmaData.Should().Be(0.5);
        d.ClassLabels.Should().Be(new ClassLabelSpec(3, ClassLabelFormat.OneHot));
        d.EmaSigmaRel.Should().BeNull();
        d.Options.GetProperty("embedding_type").GetString().Should().Be("Fourier");
        DiffusionCore.Networks.Edm.SongUNetOptions.FromJson(d.Options).Should().BeEquivalentTo(TinyModels.Song);
    }

    [Fact]
    public void Edm2_options_round_trip_through_json_including_the_resample_filter()
    {
        Edm2UNetOptions options = TinyModels.Edm2;
        JsonElement json = options.ToJson();
        json.GetProperty("resample_filter").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(1, 3, 3, 1);
        Edm2UNetOptions.FromJson(json).Should().Be(options);
    }

    [Fact]
    public void A_file_without_a_description_says_what_is_missing_and_how_to_load_it()
    {
        using var scope = new TensorScope();
        using Module model = TinyModels.Create("edm2", 1);
        string path = Path.Combine(_dir, "old.safetensors");
        model.SaveStateDict(path);

        Action load = () => DiffusionModel.Load(path);
        load.Should().Throw<ModelFileException>().WithMessage("*has no model description*diffusioncore.model*LoadStateDict*");
    }

    [Fact]
    public void Another_schema_version_is_refused_with_the_versions_named()
    {
        string json = new ModelDescription { Family = "edm2", Options = JsonDocument.Parse("{}").RootElement }.ToJson().Replace("\"schema\":1", "\"schema\":2", StringComparison.Ordinal);
        Action parse = () => ModelDescription.Parse(json, "f.safetensors");
        parse.Should().Throw<ModelFileException>().WithMessage("*schema version 2*reads version 1*Update DiffusionCore*");
    }

    [Theory]
    [InlineData("{not json", "*not valid JSON*")]
    [InlineData("{\"schema\":1}", "*malformed*")]
    [InlineData("{\"schema\":1,\"family\":\"edm2\",\"options\":{},\"class_labels\":{\"class_count\":0,\"format\":\"OneHot\"}}", "*class labels are invalid*")]
    public void Malformed_descriptions_are_refused(string json, string message)
    {
        Action parse = () => ModelDescription.Parse(json, "f.safetensors");
        parse.Should().Throw<ModelFileException>().WithMessage(message);
    }

    [Fact]
    public void Options_that_do_not_fit_the_family_are_refused_naming_the_problem()
    {
        using var scope = new TensorScope();
        using Module model = TinyModels.Create("edm2", 1);
        ModelDescription d = ((IDescribedModel)model).Describe();
        var bad = d with { Options = JsonDocument.Parse("{\"img_resolution\":8,\"no_such_option\":1}").RootElement };
        string path = Path.Combine(_dir, "bad.safetensors");
        ModelFile.Write(path, model.StateDict(), bad);

        Action load = () => DiffusionModel.Load(path);
        load.Should().Throw<ModelFileException>().WithMessage("*Edm2UNetOptions*no_such_option*");
    }

    [Fact]
    public void An_unknown_family_lists_the_registered_ones_and_a_registered_family_loads()
    {
        using var scope = new TensorScope();
        using Module model = TinyModels.Create("song-unet", 1);
        model.Eval();
        ModelDescription d = ((IDescribedModel)model).Describe() with { Family = "my-unet" };
        string path = Path.Combine(_dir, "mine.safetensors");
        ModelFile.Write(path, model.StateDict(), d);

        Action load = () => DiffusionModel.Load(path);
        load.Should().Throw<ModelFileException>().WithMessage("*No network family 'my-unet'*dhariwal-unet, dit, edm2, song-unet*Register*");

        NetworkRegistry registry = NetworkRegistry.CreateWithBuiltIns();
        registry.Register(NetworkFamily.Create("my-unet", (json, g, device) => new DiffusionCore.Networks.Edm.SongUNet(DiffusionCore.Networks.Edm.SongUNetOptions.FromJson(json), g, device)));
        using DiffusionModel loaded = DiffusionModel.Load(path, new DiffusionModelLoadOptions { Registry = registry });
        Denoise(loaded.Denoiser, 2).ToArray<float>().Should().Equal(Denoise((IDenoiser)model, 2).ToArray<float>());
    }

    [Fact]
    public void Tensors_that_do_not_fit_the_description_are_a_model_file_error()
    {
        using var scope = new TensorScope();
        using Module model = TinyModels.Create("edm2", 1);
        ModelDescription d = ((IDescribedModel)model).Describe();
        string path = Path.Combine(_dir, "truncated.safetensors");
        ModelFile.Write(path, model.StateDict().Where(kv => !kv.Key.StartsWith("logvar", StringComparison.Ordinal)), d);

        Action load = () => DiffusionModel.Load(path);
        load.Should().Throw<ModelFileException>().WithMessage("*do not fit the described 'edm2' network*logvar*");
    }

    [Fact]
    public void Checkpoint_layout_loads_the_raw_weights_or_a_named_ema_and_a_wrong_name_lists_the_names_present()
    {
        using var scope = new TensorScope();
        using Module model = TinyModels.Create("song-unet", 1);
        using Module other = TinyModels.Create("song-unet", 2);
        model.Eval();
        other.Eval();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string k, Tensor t) in model.StateDict()) tensors["network." + k] = t;
        foreach ((string k, Tensor t) in other.StateDict()) tensors["ema.phema-0.100." + k] = t;
        var metadata = new Dictionary<string, string>
        {
            ["ema.phema-0.100.name"] = "phema-0.100", ["ema.phema-0.100.kind"] = "power", ["ema_names"] = "phema-0.100",
        };
        string path = Path.Combine(_dir, "training-state-000000064.safetensors");
        ModelFile.Write(path, tensors, ((IDescribedModel)model).Describe(), metadata);

        DiffusionModel.ListEmaNames(path).Should().Equal("phema-0.100");
        using (DiffusionModel raw = DiffusionModel.Load(path))
        {
            Denoise(raw.Denoiser, 5).ToArray<float>().Should().Equal(Denoise((IDenoiser)model, 5).ToArray<float>());
        }

        using (DiffusionModel ema = DiffusionModel.Load(path, new DiffusionModelLoadOptions { Ema = "phema-0.100" }))
        {
            Denoise(ema.Denoiser, 5).ToArray<float>().Should().Equal(Denoise((IDenoiser)other, 5).ToArray<float>());
        }

        Action wrong = () => DiffusionModel.Load(path, new DiffusionModelLoadOptions { Ema = "ema-0.05" });
        wrong.Should().Throw<ModelFileException>().WithMessage("*no EMA named 'ema-0.05'*it holds: phema-0.100*");
    }

    [Fact]
    public void A_module_that_does_not_describe_itself_cannot_be_saved_as_a_model_file()
    {
        using var linear = new Linear(2, 2);
        Action save = () => ModelFile.Save(linear, Path.Combine(_dir, "x.safetensors"));
        save.Should().Throw<ArgumentException>().WithMessage("*does not describe itself*SaveStateDict*");
    }
}
