using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>
/// Resolves the native shim explicitly: <c>DIFFUSIONCORE_NATIVE</c> (a file or folder), the application directory,
/// the assembly's directory and their <c>runtimes/linux-x64/native/</c> folders, in that order. An override that names
/// no existing shim is an error, not skipped. Every attempt is recorded; the first library that loads is checked for
/// the shim ABI version, the libtorch version and every export this assembly calls. Failure raises one
/// <see cref="TorchLibraryLoadException"/> naming the cause and the fix.
/// </summary>
internal static class NativeLoader
{
    /// <summary>Environment variable naming the shim file or the folder that holds it.</summary>
    internal const string OverrideVariable = "DIFFUSIONCORE_NATIVE";

    /// <summary>The file name of the shim on Linux.</summary>
    internal const string FileName = "libdiffusioncore_native.so";

    /// <summary>The oldest libtorch the shim's C++ is written for.</summary>
    internal static readonly Version MinimumTorchVersion = new(1, 13);

    /// <summary>The ABI version this assembly was written against (DC_ABI_VERSION in dc_shim.h).</summary>
    internal const int ExpectedAbiVersion = 9;

    private static readonly Lock Gate = new();
    private static IntPtr s_handle;
    private static TorchLibraryLoadException? s_failure;

#pragma warning disable CA2255 // Registering a resolver cannot fail and must precede the first P/Invoke.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == NativeMethods.Lib ? EnsureLoaded() : IntPtr.Zero;

    /// <summary>Loads and checks the shim once; afterwards returns the cached handle or rethrows the cached cause.</summary>
    internal static IntPtr EnsureLoaded()
    {
        lock (Gate)
        {
            if (s_handle != IntPtr.Zero)
            {
                return s_handle;
            }

            if (s_failure is not null)
            {
                throw s_failure;
            }

            try
            {
                if (OverrideProblem(Environment.GetEnvironmentVariable(OverrideVariable)) is { } wrongOverride)
                {
                    throw wrongOverride;
                }

                s_handle = Load(CandidatePaths());
                CpuKernelSelection.Apply(s_handle);
                AllocatorTuning.Apply(s_handle);
                MemoryCounter.Install(s_handle);
                IntraOpThreads.ApplyAtLoad(s_handle);
                return s_handle;
            }
            catch (TorchLibraryLoadException ex)
            {
                s_failure = ex;
                throw;
            }
        }
    }

    /// <summary>The places searched, in order, each with the reason it was included.</summary>
    internal static IReadOnlyList<string> CandidatePaths()
    {
        var list = new List<string>();
        string? env = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            list.Add(Directory.Exists(env) ? Path.Combine(env, FileName) : env);
        }

        foreach (string dir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(NativeLoader).Assembly.Location) ?? string.Empty })
        {
            if (dir.Length == 0)
            {
                continue;
            }

            list.Add(Path.Combine(dir, FileName));
            list.Add(Path.Combine(dir, "runtimes", "linux-x64", "native", FileName));
        }

        return list.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The error for a <c>DIFFUSIONCORE_NATIVE</c> value that names neither an existing file nor a folder holding the
    /// shim, or null when it is unset or fine. A set override is a choice: silently falling back to another shim
    /// would run other code than the user asked for.
    /// </summary>
    internal static TorchLibraryLoadException? OverrideProblem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        bool folder = Directory.Exists(value);
        string path = folder ? Path.Combine(value, FileName) : value;
        if (File.Exists(path)) return null;
        return new TorchLibraryLoadException(
            TorchLibraryLoadCause.ShimNotFound,
            $"{OverrideVariable} is set to '{value}', but {(folder ? $"that folder holds no {FileName}" : "no such file exists")}. " +
            $"Point it at the shim (the file or its folder) or unset it to use the shim next to the application.",
            [$"{path}: not found ({OverrideVariable})"]);
    }

    /// <summary>Tries each candidate; loads the first that exists and passes the version and export checks.</summary>
    internal static IntPtr Load(IReadOnlyList<string> candidates)
    {
        var attempts = new List<string>();
        foreach (string path in candidates)
        {
            if (!File.Exists(path))
            {
                attempts.Add($"{path}: not found");
                continue;
            }

            IntPtr handle;
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (DllNotFoundException ex)
            {
                string reason = LoaderReason(ex.Message);
                attempts.Add($"{path}: {reason}");
                throw Classify(path, reason, attempts);
            }
            catch (BadImageFormatException ex)
            {
                string reason = LoaderReason(ex.Message);
                attempts.Add($"{path}: {reason}");
                throw new TorchLibraryLoadException(
                    TorchLibraryLoadCause.ShimInvalid,
                    $"The DiffusionCore native shim at {path} is not a loadable library for this process ({reason}). " +
                    "Rebuild it with `dotnet build` on this machine (x64 Linux).",
                    attempts);
            }

            attempts.Add($"{path}: loaded");
            CheckVersions(handle, path, attempts);
            CheckExports(name => NativeLibrary.TryGetExport(handle, name, out _), path, attempts);
            return handle;
        }

        throw new TorchLibraryLoadException(
            TorchLibraryLoadCause.ShimNotFound,
            $"The DiffusionCore native shim ({FileName}) was not found. It is built by `dotnet build` of " +
            "DiffusionCore.Torch (needs cmake, g++ and libtorch: `sudo apt-get install cmake g++ libtorch-dev " +
            $"libopenblas0-openmp`), or point {OverrideVariable} at the file or its folder.",
            attempts);
    }

    /// <summary>
    /// The dynamic loader's own reason (dlerror, e.g. "libc10.so.1.13: cannot open shared object file: No such file or
    /// directory") without the runtime's generic "Unable to load shared library … consider using strace … LD_DEBUG"
    /// preamble, which otherwise appears twice in the message and buries the one line that names the missing file.
    /// </summary>
    internal static string LoaderReason(string runtimeMessage)
    {
        const string Marker = "LD_DEBUG environment variable:";
        int i = runtimeMessage.LastIndexOf(Marker, StringComparison.Ordinal);
        string reason = (i >= 0 ? runtimeMessage[(i + Marker.Length)..] : runtimeMessage).Trim();
        return reason.Length > 0 ? reason : runtimeMessage.Trim();
    }

    /// <summary>Turns a loader error into the cause a user can act on.</summary>
    internal static TorchLibraryLoadException Classify(string path, string loaderMessage, IReadOnlyList<string> attempts)
    {
        bool torchMissing = loaderMessage.Contains("libtorch", StringComparison.Ordinal)
            || loaderMessage.Contains("libc10", StringComparison.Ordinal)
            || (loaderMessage.Contains("cannot open shared object file", StringComparison.Ordinal)
                && !loaderMessage.Contains(FileName + ":", StringComparison.Ordinal));
        if (torchMissing)
        {
            return new TorchLibraryLoadException(
                TorchLibraryLoadCause.LibtorchMissing,
                $"The DiffusionCore native shim at {path} was found, but a library it needs could not be loaded: " +
                $"{loaderMessage.Trim()}. Install libtorch with `sudo apt-get install libtorch-dev libopenblas0-openmp`, " +
                "or, if the shim was built with LIBTORCH=<dir>, keep that libtorch in place (or add <dir>/lib to LD_LIBRARY_PATH).",
                attempts);
        }

        return new TorchLibraryLoadException(
            TorchLibraryLoadCause.ShimInvalid,
            $"The DiffusionCore native shim at {path} could not be loaded: {loaderMessage.Trim()}. Rebuild it with `dotnet build`.",
            attempts);
    }

    private static unsafe void CheckVersions(IntPtr handle, string path, List<string> attempts)
    {
        if (!NativeLibrary.TryGetExport(handle, "dc_abi_version", out IntPtr abiFn)
            || !NativeLibrary.TryGetExport(handle, "dc_torch_version", out IntPtr torchFn))
        {
            throw new TorchLibraryLoadException(
                TorchLibraryLoadCause.AbiMismatch,
                $"{path} is not a DiffusionCore native shim (no dc_abi_version export). Rebuild with `dotnet build` or fix {OverrideVariable}.",
                attempts);
        }

        int abi = ((delegate* unmanaged<int>)abiFn)();
        string torch = Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr>)torchFn)()) ?? "?";
        CheckVersions(abi, torch, path, attempts);
    }

    /// <summary>Validates the shim's reported ABI and libtorch versions.</summary>
    internal static void CheckVersions(int abi, string torchVersion, string path, IReadOnlyList<string> attempts)
    {
        if (abi != ExpectedAbiVersion)
        {
            throw new TorchLibraryLoadException(
                TorchLibraryLoadCause.AbiMismatch,
                $"The native shim at {path} has ABI version {abi}, but this DiffusionCore.Torch expects {ExpectedAbiVersion}: " +
                "the shim and the managed assembly come from different builds. Rebuild both with `dotnet build` " +
                $"(or fix {OverrideVariable}).",
                attempts);
        }

        if (!TryParseTorchVersion(torchVersion, out Version? v) || v < MinimumTorchVersion)
        {
            throw new TorchLibraryLoadException(
                TorchLibraryLoadCause.LibtorchVersion,
                $"The native shim at {path} was built against libtorch {torchVersion}, but DiffusionCore needs libtorch " +
                $"{MinimumTorchVersion} or newer. Install libtorch-dev 1.13 (Debian 12) or set LIBTORCH to a newer libtorch and rebuild.",
                attempts);
        }
    }

    /// <summary>
    /// Fails when the shim lacks any function this assembly declares (a shim from another build that reports the same
    /// ABI number), naming every missing one, instead of an <see cref="EntryPointNotFoundException"/> at the first call.
    /// </summary>
    internal static void CheckExports(Func<string, bool> hasExport, string path, IReadOnlyList<string> attempts)
    {
        string[] missing = RequiredExports().Where(name => !hasExport(name)).ToArray();
        if (missing.Length == 0) return;
        throw new TorchLibraryLoadException(
            TorchLibraryLoadCause.AbiMismatch,
            $"The native shim at {path} has ABI version {ExpectedAbiVersion} but lacks {missing.Length} function(s) this " +
            $"DiffusionCore.Torch calls: {string.Join(", ", missing)}. The shim and the managed assembly come from different " +
            $"builds. Rebuild both with `dotnet build` (or fix {OverrideVariable}).",
            attempts);
    }

    /// <summary>The entry points of every P/Invoke declared on <see cref="NativeMethods"/> (its [LibraryImport] methods).</summary>
    internal static IReadOnlyList<string> RequiredExports() =>
        typeof(NativeMethods)
            .GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly)
            .Select(m => (Method: m, Import: m.GetCustomAttribute<LibraryImportAttribute>()))
            .Where(p => p.Import is not null && p.Import.LibraryName == NativeMethods.Lib)
            .Select(p => p.Import!.EntryPoint ?? p.Method.Name)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();

    internal static bool TryParseTorchVersion(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Version? version)
    {
        string core = text.Split('+', ' ')[0];
        string[] parts = core.Split('.');
        version = null;
        if (parts.Length < 2 || !int.TryParse(parts[0], out int major) || !int.TryParse(parts[1], out int minor))
        {
            return false;
        }

        version = new Version(major, minor);
        return true;
    }
}
