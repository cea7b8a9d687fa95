using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using DiffusionCore.Torch.Interop;
using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Loading;

/// <summary>
/// Load failures name the cause and the fix. These drive NativeLoader.Load with crafted candidates; none of them may
/// leave a second copy of the real shim mapped (checked against /proc/self/maps after each).
/// </summary>
[Collection(SerialTests.Name)]
public sealed class NativeLoaderTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dc-loader-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static string RealShim => Path.Combine(AppContext.BaseDirectory, NativeLoader.FileName);

    private static string[] MappedShims() =>
        File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 6 && p[5].Trim().EndsWith(NativeLoader.FileName, StringComparison.Ordinal))
            .Select(p => p[5].Trim())
            .Distinct()
            .ToArray();

    private static void OnlyTheRealShimIsMapped()
    {
        Torch.EnsureLoaded();
        MappedShims().Should().ContainSingle("exactly one shim may be loaded in the process")
            .Which.Should().Be(Path.GetFullPath(RealShim));
    }

    private string NewSubdir(string name) => Directory.CreateDirectory(Path.Combine(_dir.FullName, name)).FullName;

    [Fact]
    public void The_real_shim_is_loaded_once_and_passes_its_checks()
    {
        File.Exists(RealShim).Should().BeTrue("the build copies the shim next to the test assembly");
        NativeLoader.EnsureLoaded().Should().NotBe(IntPtr.Zero);
        NativeLoader.EnsureLoaded().Should().Be(NativeLoader.EnsureLoaded());
        Torch.AbiVersion.Should().Be(NativeLoader.ExpectedAbiVersion);
        OnlyTheRealShimIsMapped();
    }

    [Fact]
    public void No_candidate_found_is_ShimNotFound_naming_the_fix_and_every_path_tried()
    {
        string a = Path.Combine(NewSubdir("a"), NativeLoader.FileName);
        string b = Path.Combine(NewSubdir("b"), "runtimes", "linux-x64", "native", NativeLoader.FileName);
        Action act = () => NativeLoader.Load([a, b]);
        TorchLibraryLoadException ex = act.Should().Throw<TorchLibraryLoadException>().Which;
        ex.Cause.Should().Be(TorchLibraryLoadCause.ShimNotFound);
        ex.Attempts.Should().Equal($"{a}: not found", $"{b}: not found");
        ex.Message.Should().Contain("libdiffusioncore_native.so) was not found")
            .And.Contain("dotnet build")
            .And.Contain("apt-get install cmake g++ libtorch-dev")
            .And.Contain(NativeLoader.OverrideVariable)
            .And.Contain("Tried:").And.Contain(a).And.Contain(b);
        ex.Should().BeAssignableTo<DllNotFoundException>("callers catching the BCL type still see it");
        OnlyTheRealShimIsMapped();
    }

    [Fact]
    public void An_empty_candidate_list_is_ShimNotFound_without_a_Tried_section()
    {
        Action act = () => NativeLoader.Load([]);
        TorchLibraryLoadException ex = act.Should().Throw<TorchLibraryLoadException>().Which;
        ex.Cause.Should().Be(TorchLibraryLoadCause.ShimNotFound);
        ex.Attempts.Should().BeEmpty();
        ex.Message.Should().NotContain("Tried:");
    }

    [Fact]
    public void A_shim_whose_libtorch_is_missing_is_LibtorchMissing_telling_to_install_libtorch_dev()
    {
        // A copy of the real shim whose DT_NEEDED libc10.so.* is renamed (same length) to a library that does not exist.
        byte[] bytes = File.ReadAllBytes(RealShim);
        byte[] needle = Encoding.ASCII.GetBytes("libc10.so");
        int patched = 0;
        for (int i = bytes.AsSpan().IndexOf(needle); i >= 0;)
        {
            bytes[i + 3] = (byte)'q';
            patched++;
            int next = bytes.AsSpan(i + 1).IndexOf(needle);
            i = next < 0 ? -1 : i + 1 + next;
        }

        // Guard: if the patch did not take, loading the copy would map a second live shim. Never let that happen.
        patched.Should().BeGreaterThan(0, "the shim must name libc10.so among its needed libraries");
        bytes.AsSpan().IndexOf(needle).Should().Be(-1);
        string copy = Path.Combine(NewSubdir("patched"), NativeLoader.FileName);
        File.WriteAllBytes(copy, bytes);

        Action act = () => NativeLoader.Load([Path.Combine(_dir.FullName, "missing.so"), copy]);
        TorchLibraryLoadException ex = act.Should().Throw<TorchLibraryLoadException>().Which;
        ex.Cause.Should().Be(TorchLibraryLoadCause.LibtorchMissing);
        ex.Message.Should().Contain($"The DiffusionCore native shim at {copy} was found, but a library it needs could not be loaded")
            .And.Contain("libq10.so")
            .And.Contain("apt-get install libtorch-dev")
            .And.Contain("LD_LIBRARY_PATH");
        ex.Message.Should().Contain("needs could not be loaded: libq10.so.1.13: cannot open shared object file: No such file or directory. Install")
            .And.NotContain("strace", "the runtime's generic preamble is dropped; the loader's own reason is kept");
        ex.Attempts.Should().HaveCount(2);
        ex.Attempts[0].Should().EndWith("missing.so: not found");
        ex.Attempts[1].Should().Be(copy + ": libq10.so.1.13: cannot open shared object file: No such file or directory");
        OnlyTheRealShimIsMapped();
    }

    [Fact]
    public void A_file_of_random_bytes_is_ShimInvalid()
    {
        var bytes = new byte[64 * 1024];
        new System.Random(17).NextBytes(bytes);
        string junk = Path.Combine(NewSubdir("junk"), NativeLoader.FileName);
        File.WriteAllBytes(junk, bytes);

        Action act = () => NativeLoader.Load([junk, RealShim]);
        TorchLibraryLoadException ex = act.Should().Throw<TorchLibraryLoadException>().Which;
        ex.Cause.Should().Be(TorchLibraryLoadCause.ShimInvalid);
        ex.Message.Should().Contain($"The DiffusionCore native shim at {junk} could not be loaded: {junk}: invalid ELF header. Rebuild it with `dotnet build`");
        ex.Attempts.Should().ContainSingle("the first existing candidate decides; later ones are not tried")
            .Which.Should().Be($"{junk}: {junk}: invalid ELF header");
        OnlyTheRealShimIsMapped();
    }

    [SkippableFact]
    public void A_loadable_library_that_is_not_the_shim_is_an_AbiMismatch()
    {
        // libm is already mapped by the runtime, so loading it adds nothing to the process.
        string[] candidates = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6"];
        string? libm = candidates.FirstOrDefault(File.Exists);
        Skip.If(libm is null, $"Needs the x86-64 Debian libm at {string.Join(" or ", candidates)}.");
        Action act = () => NativeLoader.Load([libm]);
        TorchLibraryLoadException ex = act.Should().Throw<TorchLibraryLoadException>().Which;
        ex.Cause.Should().Be(TorchLibraryLoadCause.AbiMismatch);
        ex.Message.Should().Contain("is not a DiffusionCore native shim (no dc_abi_version export)");
        OnlyTheRealShimIsMapped();
    }

    [Fact]
    public void CheckVersions_rejects_a_wrong_abi()
    {
        Action act = () => NativeLoader.CheckVersions(NativeLoader.ExpectedAbiVersion + 1, "1.13.1", "/x/shim.so", ["/x/shim.so: loaded"]);
        TorchLibraryLoadException ex = act.Should().Throw<TorchLibraryLoadException>().Which;
        ex.Cause.Should().Be(TorchLibraryLoadCause.AbiMismatch);
        ex.Message.Should().Contain($"has ABI version {NativeLoader.ExpectedAbiVersion + 1}, but this DiffusionCore.Torch expects {NativeLoader.ExpectedAbiVersion}")
            .And.Contain("Rebuild both with `dotnet build`");
        ex.Attempts.Should().Equal("/x/shim.so: loaded");
    }

    [Theory]
    [InlineData("1.12.1")]
    [InlineData("1.9.0")]
    [InlineData("0.4.1")]
    [InlineData("unknown")]
    [InlineData("")]
    public void CheckVersions_rejects_an_old_or_unreadable_libtorch(string version)
    {
        Action act = () => NativeLoader.CheckVersions(NativeLoader.ExpectedAbiVersion, version, "/x/shim.so", []);
        TorchLibraryLoadException ex = act.Should().Throw<TorchLibraryLoadException>().Which;
        ex.Cause.Should().Be(TorchLibraryLoadCause.LibtorchVersion);
        ex.Message.Should().Contain($"built against libtorch {version},").And.Contain("needs libtorch 1.13 or newer").And.Contain("libtorch-dev");
    }

    [Theory]
    [InlineData("1.13.0")]
    [InlineData("1.13.1")]
    [InlineData("2.1.0+cu121")]
    [InlineData("2.5.1+cpu")]
    [InlineData("10.0")]
    public void CheckVersions_accepts_supported_libtorch_versions(string version)
    {
        Action act = () => NativeLoader.CheckVersions(NativeLoader.ExpectedAbiVersion, version, "/x/shim.so", []);
        act.Should().NotThrow();
    }

    [Theory]
    [InlineData("/x/libdiffusioncore_native.so' or one of its dependencies. ...: \nlibtorch_cpu.so.1.13: cannot open shared object file: No such file or directory", TorchLibraryLoadCause.LibtorchMissing)]
    [InlineData("libc10.so.1.13: cannot open shared object file: No such file or directory", TorchLibraryLoadCause.LibtorchMissing)]
    [InlineData("libgomp.so.1: cannot open shared object file: No such file or directory", TorchLibraryLoadCause.LibtorchMissing)]
    [InlineData("/x/libdiffusioncore_native.so: invalid ELF header", TorchLibraryLoadCause.ShimInvalid)]
    [InlineData("/x/libdiffusioncore_native.so: cannot open shared object file: No such file or directory", TorchLibraryLoadCause.ShimInvalid)]
    [InlineData("/x/libdiffusioncore_native.so: undefined symbol: _ZN3c105ErrorC1E", TorchLibraryLoadCause.ShimInvalid)]
    public void Classify_blames_the_right_library(string loaderMessage, TorchLibraryLoadCause expected)
    {
        TorchLibraryLoadException ex = NativeLoader.Classify("/x/libdiffusioncore_native.so", loaderMessage, ["/x: " + loaderMessage]);
        ex.Cause.Should().Be(expected);
        ex.Message.Should().Contain(loaderMessage.Trim());
    }

    [Theory]
    [InlineData("Unable to load shared library '/x/a.so' or one of its dependencies. In order to help diagnose loading problems, consider using a tool like strace. If you're using glibc, consider setting the LD_DEBUG environment variable: \nlibc10.so.1.13: cannot open shared object file: No such file or directory", "libc10.so.1.13: cannot open shared object file: No such file or directory")]
    [InlineData("some other loader text", "some other loader text")]
    [InlineData("consider setting the LD_DEBUG environment variable: ", "consider setting the LD_DEBUG environment variable:")]
    public void LoaderReason_keeps_the_dynamic_loaders_own_words(string runtimeMessage, string expected) =>
        NativeLoader.LoaderReason(runtimeMessage).Should().Be(expected);

    [Fact]
    public void CandidatePaths_put_the_override_first_then_the_app_directory()
    {
        string? saved = Environment.GetEnvironmentVariable(NativeLoader.OverrideVariable);
        try
        {
            string dir = NewSubdir("override");
            Environment.SetEnvironmentVariable(NativeLoader.OverrideVariable, dir);
            IReadOnlyList<string> paths = NativeLoader.CandidatePaths();
            paths[0].Should().Be(Path.Combine(dir, NativeLoader.FileName), "a folder override names the shim inside it");
            paths.Should().Contain(Path.Combine(AppContext.BaseDirectory, NativeLoader.FileName))
                .And.Contain(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", NativeLoader.FileName))
                .And.OnlyHaveUniqueItems();

            string file = Path.Combine(dir, "custom-name.so");
            Environment.SetEnvironmentVariable(NativeLoader.OverrideVariable, file);
            NativeLoader.CandidatePaths()[0].Should().Be(file, "a file override is used as given");

            Environment.SetEnvironmentVariable(NativeLoader.OverrideVariable, null);
            NativeLoader.CandidatePaths()[0].Should().Be(Path.Combine(AppContext.BaseDirectory, NativeLoader.FileName));
        }
        finally
        {
            Environment.SetEnvironmentVariable(NativeLoader.OverrideVariable, saved);
        }
    }

    [Fact]
    public void The_required_exports_are_every_declared_native_function()
    {
        IReadOnlyList<string> exports = NativeLoader.RequiredExports();
        exports.Should().Contain(["dc_abi_version", "dc_cat", "dc_tensor_data_ptr", "dc_adam_step_lazy", "dc_linalg_eigh"]);
        exports.Should().NotContain("dc_image_decode", "the image codecs left the shim for DiffusionCore.Data (ABI 7)");
        exports.Should().HaveCountGreaterThan(100).And.OnlyHaveUniqueItems();
        IntPtr shim = NativeLoader.EnsureLoaded();
        exports.Where(name => !NativeLibrary.TryGetExport(shim, name, out _)).Should().BeEmpty("the real shim exports all of them");
    }

    [Fact]
    public void CheckExports_names_every_missing_function()
    {
        Action act = () => NativeLoader.CheckExports(name => name is not ("dc_cat" or "dc_lerp"), "/x/shim.so", ["/x/shim.so: loaded"]);
        TorchLibraryLoadException ex = act.Should().Throw<TorchLibraryLoadException>().Which;
        ex.Cause.Should().Be(TorchLibraryLoadCause.AbiMismatch);
        ex.Message.Should().Contain($"The native shim at /x/shim.so has ABI version {NativeLoader.ExpectedAbiVersion} but lacks 2 function(s) this DiffusionCore.Torch calls: dc_cat, dc_lerp.")
            .And.Contain("Rebuild both with `dotnet build`");
    }

    [Fact]
    public void A_shim_with_the_right_abi_number_but_missing_exports_fails_at_load()
    {
        // A stand-in library that answers the version checks and nothing else (named so no test mistakes it for the shim).
        string source = Path.Combine(_dir.FullName, "fake.c");
        string library = Path.Combine(_dir.FullName, "fake-shim.so");
        File.WriteAllText(source,
            $"int dc_abi_version(void) {{ return {NativeLoader.ExpectedAbiVersion}; }}\nconst char* dc_torch_version(void) {{ return \"1.13.1\"; }}\n");
        using (var cc = Process.Start(new ProcessStartInfo("cc", ["-shared", "-fPIC", "-o", library, source]) { RedirectStandardError = true })!)
        {
            string error = cc.StandardError.ReadToEnd();
            cc.WaitForExit();
            cc.ExitCode.Should().Be(0, $"a C compiler is part of the build requirements (cmake, g++): {error}");
        }

        Action act = () => NativeLoader.Load([library]);
        TorchLibraryLoadException ex = act.Should().Throw<TorchLibraryLoadException>().Which;
        ex.Cause.Should().Be(TorchLibraryLoadCause.AbiMismatch);
        ex.Message.Should().Contain($"{library} has ABI version {NativeLoader.ExpectedAbiVersion} but lacks")
            .And.Contain("dc_cat").And.Contain("dc_tensor_free");
        OnlyTheRealShimIsMapped();
    }

    [Fact]
    public void An_override_naming_a_missing_file_or_an_empty_folder_is_an_error()
    {
        NativeLoader.OverrideProblem(null).Should().BeNull();
        NativeLoader.OverrideProblem(" ").Should().BeNull();
        NativeLoader.OverrideProblem(RealShim).Should().BeNull();
        NativeLoader.OverrideProblem(AppContext.BaseDirectory).Should().BeNull();

        string missing = Path.Combine(_dir.FullName, "nowhere", NativeLoader.FileName);
        TorchLibraryLoadException file = NativeLoader.OverrideProblem(missing)!;
        file.Cause.Should().Be(TorchLibraryLoadCause.ShimNotFound);
        file.Message.Should().Contain($"DIFFUSIONCORE_NATIVE is set to '{missing}', but no such file exists").And.Contain("or unset it");
        NativeLoader.OverrideProblem(_dir.FullName)!.Message.Should().Contain($"but that folder holds no {NativeLoader.FileName}");
    }

    [Fact]
    public void A_process_whose_override_names_a_missing_file_reports_it_at_load()
    {
        string missing = Path.Combine(_dir.FullName, "missing", NativeLoader.FileName);
        CrashProbeResult result = CrashProbeProcess.Run("touch-native", environment: new Dictionary<string, string> { [NativeLoader.OverrideVariable] = missing });
        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().StartWith("load failed (ShimNotFound)", "the override must not be skipped silently")
            .And.Contain($"DIFFUSIONCORE_NATIVE is set to '{missing}'");
    }
}
