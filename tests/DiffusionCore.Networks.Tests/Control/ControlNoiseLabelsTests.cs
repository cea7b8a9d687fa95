using System.Text.Json;
using DiffusionCore.Denoisers;
using DiffusionCore.Models;
using DiffusionCore.Networks.Control;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Tests.Models;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Control;

/// <summary>
/// The control gate reads σ back from the network's noise labels: each named conversion must invert its
/// preconditioning's c_noise (Karras et al. 2022, Table 1), and model files must store it by name.
/// </summary>
public class ControlNoiseLabelsTests
{
    private static readonly float[] Sigmas = [0.03f, 0.1f, 0.5f, 1f, 5f, 20f, 80f];

    public static TheoryData<string> Conversions() => ["edm", "vp", "ve"];

    private static (Preconditioning Preconditioning, Func<Tensor, Tensor> Conversion) For(string name) => name switch
    {
        "edm" => (new EdmPreconditioning(0.5), ControlNoiseLabels.EdmLogSigma),
        "vp" => (new VpPreconditioning(), ControlNoiseLabels.VpTime),
        _ => (new VePreconditioning(), ControlNoiseLabels.VeLogHalfSigma),
    };

    [Theory]
    [MemberData(nameof(Conversions))]
    public void Each_conversion_inverts_its_preconditionings_noise_label(string name)
    {
        using var scope = new TensorScope();
        (Preconditioning preconditioning, Func<Tensor, Tensor> conversion) = For(name);
        float[] sigmas = [.. Sigmas.Where(s => s >= preconditioning.SigmaMin && s <= preconditioning.SigmaMax)];
        Tensor sigma = Tensor.FromArray(sigmas);
        float[] back = conversion(preconditioning.Coefficients(sigma).CNoise.Reshape(-1)).ToArray<float>();
        back.Should().Equal(sigmas, (a, b) => Math.Abs(a - b) <= 1e-4 * b);
    }

    [Theory]
    [MemberData(nameof(Conversions))]
    public void Model_files_store_the_named_conversions_by_name(string name)
    {
        Func<Tensor, Tensor> conversion = For(name).Conversion;
        var control = new ControlConditioningOptions { Width = 3, SigmaFromNoiseLabel = conversion };
        JsonElement json = (TinyModels.Dhariwal with { Control = control }).ToJson();
        json.GetProperty("control").GetProperty("sigma_from_noise_label").GetString().Should().Be(name);
        DhariwalUNetOptions.FromJson(json).Control!.SigmaFromNoiseLabel.Should().BeSameAs(conversion);
    }

    [Fact]
    public void An_unknown_conversion_name_is_refused_naming_the_known_ones()
    {
        JsonElement json = (TinyModels.Dhariwal with { Control = new ControlConditioningOptions { Width = 3, SigmaFromNoiseLabel = ControlNoiseLabels.VpTime } }).ToJson();
        string text = json.GetRawText().Replace("\"vp\"", "\"cosine-schedule\"", StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(text);
        Action read = () => DhariwalUNetOptions.FromJson(doc.RootElement);
        read.Should().Throw<ModelFileException>().WithMessage("*'edm', 'vp', 've'*cosine-schedule*");
    }
}
