using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Networks.Models;

/// <summary>
/// A network rebuilt from a self-describing model file (<see cref="ModelFile"/>: an export, a post-hoc EMA
/// reconstruction, or a training checkpoint) without the code that built it: the family in the description is looked
/// up in the <see cref="NetworkRegistry"/>, built from its stored options, wrapped in its stored preconditioning
/// (Karras et al. 2022, Eq. 7) and loaded strictly by state-dict key. It is in evaluation mode. Disposing it frees the
/// module.
/// </summary>
/// <example>
/// <code>
/// using DiffusionModel model = DiffusionModel.Load("runs/shapes/model-ema-0.100.safetensors");
/// IDenoiser guided = new ClassifierFreeGuidance(model.Denoiser, scale: 2);   // the unconditional label comes from the file
/// </code>
/// </example>
public sealed class DiffusionModel : IDisposable, IClassConditioned
{
    private const string NetworkPrefix = "network.";
    private const string EmaPrefix = "ema.";

    private DiffusionModel(string path, Module module, IDenoiser denoiser, ModelDescription description)
    {
        Path = path;
        Module = module;
        Denoiser = denoiser;
        Description = description;
    }

    /// <summary>The file it was loaded from.</summary>
    public string Path { get; }

    /// <summary>The module holding the weights (the network, a preconditioned network, or a family's denoiser).</summary>
    public Module Module { get; }

    /// <summary>The denoiser <c>D(x; σ)</c> for samplers and guidance; it declares the class labels (<see cref="IClassConditioned"/>).</summary>
    public IDenoiser Denoiser { get; }

    /// <summary>The file's description.</summary>
    public ModelDescription Description { get; }

    /// <summary>The class-label input of the network, as stored in the file.</summary>
    public ClassLabelSpec? ClassLabelSpec => Description.ClassLabels;

    /// <summary>Rebuilds the model in a self-describing file.</summary>
    /// <param name="path">A file written by <see cref="ModelFile"/>, <c>TrainingRun.ExportPostHocEma</c> or the trainer's checkpoints.</param>
    /// <param name="options">EMA choice for checkpoints, registry and device.</param>
    /// <exception cref="ModelFileException">
    /// The file has no description (written before self-describing files: rebuild the network in code and use
    /// <c>LoadStateDict</c>), an unknown family, an EMA name it does not hold (the message lists those it does), or tensors
    /// that do not match the described network.
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static DiffusionModel Load(string path, DiffusionModelLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new DiffusionModelLoadOptions();
        using var scope = new TensorScope();
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        ModelDescription description = ModelDescription.TryRead(file.Metadata, path) ?? throw new ModelFileException(
            $"{path} has no model description ('{ModelDescription.MetadataKey}' in its metadata): it was written before self-describing model files " +
            "or by SaveStateDict. Rebuild the network in code and load it with LoadStateDict (TrainingRun.LoadLatestNetwork for checkpoints), " +
            "or write it again with ModelFile.Save / TrainingRun.ExportPostHocEma.");
        string prefix = SelectPrefix(file, path, options.Ema);
        NetworkFamily family = (options.Registry ?? NetworkRegistry.Default).Get(description.Family);

        using var init = new Generator(0);
        (Module module, IDenoiser denoiser) = family.Build(description, init, options.Device);
        try
        {
            var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (SafeTensorsEntry entry in file.Entries)
            {
                if (entry.Name.StartsWith(prefix, StringComparison.Ordinal)) state.Add(entry.Name[prefix.Length..], file.Read(entry.Name, options.Device));
            }

            module.LoadStateDict(state);
            module.Eval();
            return new DiffusionModel(path, module, denoiser, description);
        }
        catch (StateDictLoadException e)
        {
            module.Dispose();
            throw new ModelFileException(
                $"{path}: the tensors{(prefix.Length > 0 ? $" under '{prefix}'" : string.Empty)} do not fit the described '{description.Family}' network: {e.Message}", e);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>The EMA names a training checkpoint holds (<c>ema.&lt;name&gt;.*</c>); empty for an exported file.</summary>
    public static IReadOnlyList<string> ListEmaNames(string path)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        return EmaNames(file);
    }

    /// <inheritdoc />
    public void Dispose() => Module.Dispose();

    private static string SelectPrefix(SafeTensorsFile file, string path, string? ema)
    {
        bool checkpoint = file.Names.Any(n => n.StartsWith(NetworkPrefix, StringComparison.Ordinal));
        if (ema is null) return checkpoint ? NetworkPrefix : string.Empty;
        IReadOnlyList<string> names = EmaNames(file);
        if (!checkpoint || !names.Contains(ema, StringComparer.Ordinal))
        {
            throw new ModelFileException(checkpoint
                ? $"{path} holds no EMA named '{ema}'; it holds: {(names.Count == 0 ? "none" : string.Join(", ", names))}. Pass one of those, or null for the raw weights."
                : $"{path} is an exported model, not a training checkpoint: it holds one set of weights and no EMA names. Load it with Ema = null.");
        }

        return EmaPrefix + ema + ".";
    }

    // The trainer writes each tracker's name under "ema.<name>.name" (names may hold dots, e.g. phema-0.050).
    private static IReadOnlyList<string> EmaNames(SafeTensorsFile file) =>
        [.. file.Metadata
            .Where(m => m.Key.StartsWith(EmaPrefix, StringComparison.Ordinal) && string.Equals(m.Key, EmaPrefix + m.Value + ".name", StringComparison.Ordinal))
            .Select(m => m.Value)
            .Order(StringComparer.Ordinal)];
}
