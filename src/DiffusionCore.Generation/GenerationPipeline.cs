using DiffusionCore.Data.Imaging;
using DiffusionCore.Denoisers;
using DiffusionCore.Guidance;
using DiffusionCore.Labels;
using DiffusionCore.Networks.Models;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Generation;

/// <summary>
/// One-call generation over a denoiser, in the spirit of diffusers pipelines but made of the library's own parts, each
/// replaceable: classes are written in the network's declared label format (<see cref="ClassLabelSpec"/>), classifier-free
/// guidance (Ho &amp; Salimans 2022, Eq. 6) takes the network's own unconditional input, the σ grid is Karras et al. (2022,
/// Eq. 5) over the network's σ range unless given, any <see cref="ISampler"/> integrates it, batches are planned by
/// <see cref="BatchedSampling"/> and image k depends only on seed k. <see cref="WriteGrid"/> writes a PNG grid in the
/// same call.
/// </summary>
/// <example>
/// <code>
/// using GenerationPipeline pipeline = GenerationPipeline.Load("model.safetensors");
/// pipeline.WriteGrid(new GenerationOptions { Seeds = [0, 1, 2, 3], Classes = [0, 1, 0, 1], GuidanceScale = 2 }, "grid.png", columns: 2);
/// </code>
/// </example>
public sealed class GenerationPipeline : IDisposable
{
    /// <summary>The default σ range of the grid, clipped to the preconditioning's (EDM: [0.002, 80], Karras et al. 2022, §5).</summary>
    public const double DefaultSigmaMin = 0.002;

    /// <summary>The default largest σ of the grid (Karras et al. 2022, §5).</summary>
    public const double DefaultSigmaMax = 80;

    private readonly DiffusionModel? _owned;
    private readonly long[] _sampleShape;

    /// <summary>A pipeline over any denoiser.</summary>
    /// <param name="denoiser">The denoiser; its class labels are taken from <see cref="IClassConditioned"/> unless <paramref name="classLabels"/> is given.</param>
    /// <param name="sampleShape">The shape of one sample, <c>[C, H, W]</c>.</param>
    /// <param name="classLabels">The class-label input, when the denoiser does not declare it.</param>
    /// <param name="sigmaMin">The smallest σ of the default grid.</param>
    /// <param name="sigmaMax">The largest σ of the default grid.</param>
    /// <exception cref="ArgumentException">The shape is empty or not positive, or the σ range is invalid.</exception>
    public GenerationPipeline(
        IDenoiser denoiser, IReadOnlyList<int> sampleShape, ClassLabelSpec? classLabels = null, double sigmaMin = DefaultSigmaMin, double sigmaMax = DefaultSigmaMax)
        : this(denoiser, sampleShape, classLabels, sigmaMin, sigmaMax, owned: null)
    {
    }

    private GenerationPipeline(IDenoiser denoiser, IReadOnlyList<int> sampleShape, ClassLabelSpec? classLabels, double sigmaMin, double sigmaMax, DiffusionModel? owned)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count == 0 || sampleShape.Any(d => d < 1))
        {
            throw new ArgumentException($"The sample shape must be positive dimensions such as [C, H, W]; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        }

        if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || !double.IsFinite(sigmaMax))
        {
            throw new ArgumentException($"Need 0 < σ_min < σ_max < ∞; got {sigmaMin}, {sigmaMax}.", nameof(sigmaMin));
        }

        Denoiser = denoiser;
        ClassLabels = classLabels ?? (denoiser as IClassConditioned)?.ClassLabelSpec;
        ClassLabels?.Validate();
        _sampleShape = [.. sampleShape.Select(d => (long)d)];
        SigmaMin = sigmaMin;
        SigmaMax = sigmaMax;
        _owned = owned;
    }

    /// <summary>The (unguided) denoiser.</summary>
    public IDenoiser Denoiser { get; }

    /// <summary>The class-label input, or null when the network takes none.</summary>
    public ClassLabelSpec? ClassLabels { get; }

    /// <summary>The shape of one sample, <c>[C, H, W]</c>.</summary>
    public IReadOnlyList<long> SampleShape => _sampleShape;

    /// <summary>The smallest σ of the default grid.</summary>
    public double SigmaMin { get; }

    /// <summary>The largest σ of the default grid.</summary>
    public double SigmaMax { get; }

    /// <summary>A pipeline over a loaded model: its denoiser, sample shape, class labels and σ range come from the file.</summary>
    /// <exception cref="Models.ModelFileException">The file's description has no sample shape.</exception>
    public static GenerationPipeline FromModel(DiffusionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return FromModel(model, owned: null);
    }

    /// <summary>Loads a self-describing model file (<see cref="DiffusionModel.Load"/>) into a pipeline that owns (disposes) it.</summary>
    public static GenerationPipeline Load(string path, DiffusionModelLoadOptions? options = null)
    {
        DiffusionModel model = DiffusionModel.Load(path, options);
        try
        {
            return FromModel(model, owned: model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Generates one image per seed.</summary>
    /// <param name="options">Seeds, classes, sampler, σ grid, guidance, batching.</param>
    /// <param name="progress">Called after every batch.</param>
    /// <param name="cancellationToken">Checked before every batch and sampler step.</param>
    /// <exception cref="ArgumentException">
    /// Classes for a network without class labels, a class count that differs from the seeds', a class out of range, a
    /// guidance scale without an unconditional input, or both a scale and a decorator.
    /// </exception>
    public GeneratedImages Generate(GenerationOptions options, IProgress<BatchedSamplingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Seeds);
        ArgumentNullException.ThrowIfNull(options.Sampler);
        IReadOnlyList<double> sigmas = options.Sigmas ?? SigmaSchedules.Karras(options.Steps, SigmaMin, SigmaMax);
        IDenoiser denoiser = Guide(options, sigmas);
        using var scope = new TensorScope();
        Conditioning conditioning = CreateConditioning(options);
        BatchedSamplingResult result = options.Sampler.Generate(
            denoiser, options.Seeds, _sampleShape, sigmas, conditioning.IsEmpty ? null : conditioning, options.Batching, options.Device, progress, cancellationToken: cancellationToken);
        return new GeneratedImages(result.Samples.MoveToOuterScope(), options.Seeds, options.Classes, sigmas, result.Plan, result.FunctionEvaluations);
    }

    /// <summary>Generates one image per seed (<see cref="Generate"/>) and writes them as a PNG grid, image k at row k / columns, column k mod columns.</summary>
    /// <param name="options">Seeds, classes, sampler, σ grid, guidance, batching.</param>
    /// <param name="path">The PNG file (its directory is created).</param>
    /// <param name="columns">Images per row; the number of distinct classes (or 8) when null.</param>
    /// <returns>The images (owned by the caller's scope).</returns>
    public GeneratedImages WriteGrid(GenerationOptions options, string path, int? columns = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        GeneratedImages images = Generate(options);
        int cols = columns ?? (options.Classes is { Count: > 0 } c ? c.Distinct().Count() : Math.Min(8, options.Seeds.Count));
        ImageGrid.WritePng(images.Images, path, cols);
        return images;
    }

    /// <summary>Disposes the model when the pipeline loaded it (<see cref="Load"/>); otherwise nothing.</summary>
    public void Dispose() => _owned?.Dispose();

    private static GenerationPipeline FromModel(DiffusionModel model, DiffusionModel? owned)
    {
        IReadOnlyList<int> shape = model.Description.SampleShape ?? throw new Models.ModelFileException(
            $"{model.Path}: the model description has no sample shape; build the pipeline with new GenerationPipeline(model.Denoiser, [C, H, W]).");
        Preconditioning? preconditioning = model.Description.Preconditioning?.Create();
        double sigmaMin = Math.Max(DefaultSigmaMin, preconditioning?.SigmaMin ?? 0);
        double sigmaMax = Math.Min(DefaultSigmaMax, preconditioning?.SigmaMax ?? double.PositiveInfinity);
        return new GenerationPipeline(model.Denoiser, shape, model.ClassLabelSpec, sigmaMin, sigmaMax, owned);
    }

    private IDenoiser Guide(GenerationOptions options, IReadOnlyList<double> sigmas)
    {
        if (options.Guidance is not null)
        {
            if (options.GuidanceScale != 1)
            {
                throw new ArgumentException("Give either GuidanceScale (classifier-free guidance) or a Guidance decorator, not both.", nameof(options));
            }

            return options.Guidance(Denoiser, sigmas) ?? throw new ArgumentException("The Guidance decorator returned null.", nameof(options));
        }

        if (options.GuidanceScale == 1) return Denoiser;
        if (ClassLabels is null)
        {
            throw new ArgumentException(
                $"GuidanceScale is {options.GuidanceScale}, but the network takes no class labels: classifier-free guidance needs a class-conditional network. " +
                "Use Guidance = (d, s) => new Autoguidance(d, guide, scale) for an unconditional one.", nameof(options));
        }

        if (options.Classes is null)
        {
            throw new ArgumentException($"GuidanceScale is {options.GuidanceScale} but no Classes are given: give one class per seed to guide towards.", nameof(options));
        }

        return new ClassifierFreeGuidance(Denoiser, options.GuidanceScale, Unconditional.For(ClassLabels));
    }

    private Conditioning CreateConditioning(GenerationOptions options)
    {
        Conditioning conditioning = options.Conditioning ?? Conditioning.None;
        if (options.Classes is not { } classes) return conditioning;
        if (ClassLabels is null)
        {
            throw new ArgumentException("Classes are given, but the network takes no class labels (it declares none); leave Classes null.", nameof(options));
        }

        if (classes.Count != options.Seeds.Count)
        {
            throw new ArgumentException($"Give one class per seed: {classes.Count} classes for {options.Seeds.Count} seeds.", nameof(options));
        }

        foreach (int c in classes)
        {
            if (c < 0 || c >= ClassLabels.ClassCount)
            {
                throw new ArgumentException($"Class {c} is outside [0, {ClassLabels.ClassCount}) for this {ClassLabels.ClassCount}-class network.", nameof(options));
            }
        }

        Tensor indices = Tensor.FromArray(classes.Select(c => (long)c).ToArray());
        if (options.Device is { } device) indices = indices.To(device);
        Tensor labels = Labels.ClassLabels.Encode(indices, ClassLabels.ClassCount, ClassLabels.Format);
        return conditioning.With(ConditioningKeys.ClassLabels, labels);
    }
}
