using System.Reflection;
using DiffusionCore.Sampling;
using DiffusionCore.Training;

namespace DiffusionCore.Hosting.Tests;

/// <summary>The hosting layer of docs/packages.md: only DiffusionCore.Hosting depends on Microsoft.Extensions.Hosting and DependencyInjection.</summary>
public class DependencyRulesTests
{
    private static readonly Assembly[] CoreAssemblies =
    [
        typeof(Torch.Tensor).Assembly, typeof(IDenoiser).Assembly, typeof(Data.IImageDataset).Assembly, typeof(Labels.LabelDropout).Assembly,
        typeof(Networks.Edm2.Edm2UNet).Assembly, typeof(Merge.StateDictArithmetic).Assembly, typeof(DiffusionTrainer).Assembly,
        typeof(HeunSampler).Assembly, typeof(Evaluation.FrechetDistance).Assembly,
    ];

    private static string[] References(Assembly assembly) => [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];

    [Fact]
    public void No_core_assembly_references_hosting_or_dependency_injection()
    {
        foreach (Assembly assembly in CoreAssemblies)
        {
            References(assembly).Should().NotContain(n => n.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal)
                || n.StartsWith("Microsoft.Extensions.DependencyInjection", StringComparison.Ordinal), assembly.GetName().Name);
        }
    }

    [Fact]
    public void Hosting_sits_on_training_and_sampling()
    {
        string[] refs = References(typeof(DiffusionTrainingService).Assembly);
        refs.Should().Contain(["DiffusionCore.Training", "DiffusionCore.Sampling", "Microsoft.Extensions.Hosting.Abstractions"]);
        refs.Should().NotContain("Microsoft.Extensions.Hosting", "the package needs only the abstractions; the application brings the host");
        refs.Should().NotContain("DiffusionCore.Networks", "networks come from the application's factory");
    }
}
