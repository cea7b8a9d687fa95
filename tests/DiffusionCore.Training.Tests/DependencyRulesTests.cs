using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security;
using DiffusionCore.Networks.Edm2;

namespace DiffusionCore.Training.Tests;

/// <summary>The layering of docs/architecture.md, read from the compiled assemblies.</summary>
public class DependencyRulesTests
{
    private static readonly Assembly Core = typeof(IDenoiser).Assembly;
    private static readonly Assembly Conditioning = typeof(Labels.LabelDropout).Assembly;
    private static readonly Assembly Networks = typeof(Edm2UNet).Assembly;
    private static readonly Assembly Merge = typeof(Merge.StateDictArithmetic).Assembly;
    private static readonly Assembly Training = typeof(DiffusionTrainer).Assembly;
    private static readonly Assembly Data = typeof(DiffusionCore.Data.IImageDataset).Assembly;
    private static readonly Assembly Sampling = typeof(DiffusionCore.Sampling.HeunSampler).Assembly;
    private static readonly Assembly Evaluation = typeof(DiffusionCore.Evaluation.FrechetDistance).Assembly;
    private static readonly Assembly Generation = typeof(DiffusionCore.Generation.GenerationPipeline).Assembly;

    private static string[] DiffusionCoreReferences(Assembly assembly) =>
        [.. assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("DiffusionCore", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private static string[] ReferencedNamespaces(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        MetadataReader md = pe.GetMetadataReader();
        return [.. md.TypeReferences.Select(h => md.GetString(md.GetTypeReference(h).Namespace)).Distinct()];
    }

    [Fact]
    public void Each_assembly_references_only_the_layers_below_it()
    {
        DiffusionCoreReferences(Conditioning).Should().Equal("DiffusionCore", "DiffusionCore.Torch");
        DiffusionCoreReferences(Networks).Should().Equal("DiffusionCore", "DiffusionCore.Conditioning", "DiffusionCore.Torch");
        DiffusionCoreReferences(Merge).Should().Equal("DiffusionCore.Torch");
        DiffusionCoreReferences(Training).Should().NotContain("DiffusionCore.Sampling", "Training knows nothing of Sampling");
        DiffusionCoreReferences(Training).Should().NotContain("DiffusionCore.Networks", "the trainer takes a network through Module");
        DiffusionCoreReferences(Data).Should().Equal("DiffusionCore.Torch");
        DiffusionCoreReferences(Sampling).Should().NotContain("DiffusionCore.Training", "Sampling knows nothing of Training");
        DiffusionCoreReferences(Evaluation).Should().NotContain("DiffusionCore.Training", "Evaluation takes its data from DiffusionCore.Data");
        DiffusionCoreReferences(Generation).Should().Equal(
            ["DiffusionCore", "DiffusionCore.Conditioning", "DiffusionCore.Data", "DiffusionCore.Networks", "DiffusionCore.Sampling", "DiffusionCore.Torch"],
            "generation composes model files, guidance, samplers and image writing, and knows nothing of Training");
    }

    [Fact]
    public void Networks_use_the_label_helpers_but_nothing_of_guidance()
    {
        string[] namespaces = ReferencedNamespaces(Networks);
        namespaces.Should().Contain("DiffusionCore.Labels");
        namespaces.Should().NotContain(n => n.StartsWith("DiffusionCore.Guidance", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_tensor_layer_has_unsafe_code_and_platform_invoke()
    {
        foreach (Assembly assembly in new[] { Core, Data, Conditioning, Networks, Sampling, Merge, Training, Evaluation, Generation })
        {
            assembly.ManifestModule.GetCustomAttributes(typeof(UnverifiableCodeAttribute), false).Should().BeEmpty($"{assembly.GetName().Name} is compiled without unsafe code");
            using var pe = new PEReader(File.OpenRead(assembly.Location));
            MetadataReader md = pe.GetMetadataReader();
            md.MethodDefinitions.Select(md.GetMethodDefinition).Should().NotContain(
                m => (m.Attributes & System.Reflection.MethodAttributes.PinvokeImpl) != 0, $"{assembly.GetName().Name} has no P/Invoke");
        }

        typeof(Torch.Tensor).Assembly.ManifestModule.GetCustomAttributes(typeof(UnverifiableCodeAttribute), false).Should().NotBeEmpty("the rule can fail");
    }
}
