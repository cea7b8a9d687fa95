using System.Globalization;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Models;

/// <summary>
/// Writes self-describing model files: the state dict of a module as safetensors with its <see cref="ModelDescription"/>
/// under <see cref="ModelDescription.MetadataKey"/>, so <c>DiffusionModel.Load(path)</c> (DiffusionCore.Networks)
/// rebuilds the network without the code that built it. Writes are atomic and carry checksums.
/// </summary>
public static class ModelFile
{
    /// <summary>The metadata key of the EMA length of an EMA export (also inside the description).</summary>
    public const string SigmaRelKey = "sigma_rel";

    /// <summary>Writes <paramref name="model"/>'s state dict with its description.</summary>
    /// <param name="model">A described module (EDM2 denoiser, preconditioned network, DiT, or a user's registered family).</param>
    /// <param name="path">The file to write (replaced atomically).</param>
    /// <param name="emaSigmaRel">The EMA length σ_rel when the weights are an EMA (Karras et al. 2024, Eq. 3); null for raw weights.</param>
    /// <exception cref="ArgumentException">The module does not describe itself (<see cref="IDescribedModel"/>).</exception>
    public static void Save(Module model, string path, double? emaSigmaRel = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not IDescribedModel described)
        {
            throw new ArgumentException(
                $"{model.GetType().Name} does not describe itself (IDescribedModel), so a file of it could not be loaded without code. Save an " +
                "Edm2Denoiser, a PreconditionedNetwork of a registered network, a DiffusionTransformer or your own IDescribedModel; or use SaveStateDict.",
                nameof(model));
        }

        using var scope = new TensorScope();
        Write(path, model.StateDict(), described.Describe() with { EmaSigmaRel = emaSigmaRel });
    }

    /// <summary>Writes tensors (a module's state dict) with a description, e.g. a post-hoc EMA reconstruction.</summary>
    /// <param name="path">The file to write (replaced atomically).</param>
    /// <param name="tensors">The state dict.</param>
    /// <param name="description">The description of the module those tensors load into.</param>
    /// <param name="metadata">Further metadata strings (the description's key is reserved).</param>
    public static void Write(
        string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, ModelDescription description, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(description);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach ((string key, string value) in metadata) all[key] = value;
        }

        all[ModelDescription.MetadataKey] = description.ToJson();
        if (description.EmaSigmaRel is double sigmaRel) all[SigmaRelKey] = sigmaRel.ToString("R", CultureInfo.InvariantCulture);
        SafeTensors.Save(path, tensors, all, checksums: true);
    }

    /// <summary>The description stored in a safetensors file, or null when the file has none (written before model descriptions).</summary>
    /// <exception cref="ModelFileException">The description is present but unreadable or of another schema version.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    public static ModelDescription? ReadDescription(string path)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        return ModelDescription.TryRead(file.Metadata, path);
    }
}
