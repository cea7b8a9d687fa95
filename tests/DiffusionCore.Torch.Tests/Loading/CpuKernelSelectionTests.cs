using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Tests.Loading;

/// <summary>When DiffusionCore has libtorch use its AVX512 kernels, and that libtorch does so in this test process.</summary>
public class CpuKernelSelectionTests
{
    private const CpuFeatures Avx512 = CpuFeatures.Avx512F | CpuFeatures.Avx512Kernels | CpuFeatures.Avx512BFloat16;

    private static Func<string, string?> Env(params (string Key, string Value)[] vars) =>
        key => vars.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void Selects_avx512_only_where_the_cpu_can_run_libtorchs_avx512_kernels()
    {
        CpuKernelSelection.ShouldSelectAvx512(Env(), Avx512).Should().BeTrue();
        CpuKernelSelection.ShouldSelectAvx512(Env((CpuKernelSelection.OptOutVariable, "1")), Avx512).Should().BeTrue();
        CpuKernelSelection.ShouldSelectAvx512(Env(), CpuFeatures.Avx512F | CpuFeatures.Avx512BFloat16).Should().BeFalse("AVX512F alone lacks BW/DQ/VL");
        CpuKernelSelection.ShouldSelectAvx512(Env(), CpuFeatures.Avx512F | CpuFeatures.Avx512Kernels).Should()
            .BeFalse("a Skylake-SP or Cascade Lake class CPU without native bfloat16 keeps libtorch's default");
        CpuKernelSelection.ShouldSelectAvx512(
            Env(), CpuFeatures.Avx512Kernels | CpuFeatures.AmxBFloat16 | CpuFeatures.AmxEnabledByOs).Should().BeTrue();
        CpuKernelSelection.ShouldSelectAvx512(Env(), CpuFeatures.Avx512Kernels | CpuFeatures.AmxBFloat16).Should()
            .BeFalse("AMX the OS does not enable does not count");
        CpuKernelSelection.ShouldSelectAvx512(Env(), CpuFeatures.None).Should().BeFalse();
    }

    [Theory]
    [InlineData("DIFFUSIONCORE_AVX512_KERNELS", "0")]
    [InlineData("DIFFUSIONCORE_AVX512_KERNELS", " 0 ")]
    [InlineData("ATEN_CPU_CAPABILITY", "avx2")]
    [InlineData("ATEN_CPU_CAPABILITY", "default")]
    public void Leaves_the_choice_to_the_process_when_opted_out_or_set(string key, string value)
    {
        CpuKernelSelection.ShouldSelectAvx512(Env((key, value)), Avx512).Should().BeFalse();
    }

    [Fact]
    public void Libtorch_dispatches_to_the_level_selected_in_this_process()
    {
        string? set = Environment.GetEnvironmentVariable("ATEN_CPU_CAPABILITY");
        bool select = CpuKernelSelection.ShouldSelectAvx512(Environment.GetEnvironmentVariable, Torch.CpuFeatures);
        Torch.Avx512KernelsSelected.Should().Be(select);
        string level = Torch.CpuKernels;
        if (select)
        {
            level.Should().Be("AVX512");
        }
        else if (!string.IsNullOrEmpty(set))
        {
            string requested = set.Trim().ToUpperInvariant();
            level.Should().Be(requested == "DEFAULT" ? "NO AVX" : requested);
        }
        else
        {
            level.Should().BeOneOf("AVX2", "NO AVX");
        }
    }
}
