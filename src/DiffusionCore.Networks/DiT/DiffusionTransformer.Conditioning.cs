using DiffusionCore.Networks.Control;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// The conditioning paths of Berrada et al. 2024 ("On improved conditioning mechanisms and pre-training strategies for
/// diffusion models"; docs/recipes.md §6, docs/control-conditioning.md): the gated control-metadata embedding added to
/// the adaLN vector (<c>control_embedder.*</c>), class and text conditioning as tokens in the attention sequence
/// (<c>text_embedder.*</c>), and noisy replicate padding. They are built after every reference module, so a DiT without
/// them draws exactly the reference's initial weights and has exactly its state-dict keys.
/// </summary>
public sealed partial class DiffusionTransformer
{
    private ControlEmbedder? _controlEmbedder;
    private Linear? _textEmbedder;

    /// <summary>The control-metadata embedder, or null when <see cref="DiTOptions.Control"/> is null.</summary>
    public ControlEmbedder? ControlEmbedder => _controlEmbedder;

    private void RegisterConditioningPaths(Generator generator, DType dtype, Device? device)
    {
        if (Options.Control is { } control)
        {
            _controlEmbedder = RegisterModule(
                "control_embedder",
                new ControlEmbedder(control, Options.HiddenSize, ControlNoiseLabels.Discrete(DiscreteSchedule.Linear()), magnitudePreserving: false, generator, dtype, device));
        }

        if (Options.TextEmbeddingWidth > 0)
        {
            _textEmbedder = RegisterModule("text_embedder", DiTInit.XavierLinear(Options.TextEmbeddingWidth, Options.HiddenSize, generator, dtype, device));
        }
    }

    private Tensor AddControls(Tensor c, Tensor timesteps, Conditioning? conditioning) =>
        ControlEmbedding.Add(_controlEmbedder, c, timesteps, conditioning);

    /// <summary>
    /// The tokens put before the image tokens — the class token [B, 1, D] (<see cref="DiTSemanticConditioning.Tokens"/>)
    /// and the projected text tokens [B, T, D] — and the additive key mask [B, 1, 1, P + N] that hides padding text
    /// tokens (null when nothing is masked).
    /// </summary>
    private (Tensor? Prefix, Tensor? KeyMask) ConditioningTokens(Tensor? classToken, Conditioning? conditioning, long batch, Tensor imageTokens, Generator? dropoutGenerator)
    {
        var parts = new List<Tensor>();
        var valid = new List<Tensor>();
        if (classToken is not null)
        {
            parts.Add(classToken.To(imageTokens.DType).Unsqueeze(1));
            valid.Add(Tensor.Ones([batch, 1], DType.Bool, imageTokens.Device));
        }

        Tensor? textMask = null;
        if (_textEmbedder is not null && conditioning?.TextEmbeddings is { } text)
        {
            Tensor? mask = ValidateText(text, conditioning.Find(ConditioningKeys.TextMask), batch);
            if (mask is not null && Options.NoisyReplicatePadding)
            {
                text = NoisyReplicatePadding(text, mask, IsTraining ? Options.ReplicatePaddingNoise : 0, dropoutGenerator);
                mask = null;
            }

            parts.Add(_textEmbedder.Forward(text.To(_textEmbedder.Weight.DType)).To(imageTokens.DType));
            textMask = mask;
            valid.Add(mask ?? Tensor.Ones([batch, text.Size(1)], DType.Bool, imageTokens.Device));
        }
        else if (conditioning?.TextEmbeddings is not null)
        {
            throw new ArgumentException(
                $"The conditioning has '{ConditioningKeys.TextEmbeddings}' but this DiT takes no text: build it with DiTOptions.TextEmbeddingWidth > 0, or remove the entry.",
                nameof(conditioning));
        }

        if (parts.Count == 0) return (null, null);
        Tensor prefix = parts.Count == 1 ? parts[0] : Tensor.Cat([.. parts], 1);
        if (textMask is null) return (prefix, null);
        valid.Add(Tensor.Ones([batch, imageTokens.Size(1)], DType.Bool, imageTokens.Device));
        Tensor keep = Tensor.Cat([.. valid], 1);
        Tensor keyMask = Tensor.Zeros(keep.Shape, imageTokens.DType, imageTokens.Device)
            .MaskedFill(keep.LogicalNot(), double.NegativeInfinity)
            .Reshape(batch, 1, 1, keep.Size(1));
        return (prefix, keyMask);
    }

    private Tensor? ValidateText(Tensor text, Tensor? mask, long batch)
    {
        long[] s = text.Shape;
        if (s.Length != 3 || s[0] != batch || s[2] != Options.TextEmbeddingWidth || s[1] < 1 || !text.DType.IsFloatingPoint())
        {
            throw new ArgumentException(
                $"Text embeddings must be float [B = {batch}, T ≥ 1, E = {Options.TextEmbeddingWidth}] (DiTOptions.TextEmbeddingWidth); got {text.DType} [{string.Join(", ", s)}].");
        }

        if (mask is null) return null;
        long[] m = mask.Shape;
        if (mask.DType != DType.Bool || m.Length != 2 || m[0] != s[0] || m[1] != s[1])
        {
            throw new ArgumentException(
                $"The text mask must be bool [B, T] = [{s[0]}, {s[1]}] matching the text embeddings [B, T, E] (true = real token); got {mask.DType} [{string.Join(", ", m)}].");
        }

        if (mask.Device.Type != DeviceType.Meta && mask.Any(1).LogicalNot().Any().ToBoolean())
        {
            throw new ArgumentException("Every sample needs at least one real text token (a row of the text mask is all false); drop the text entry for no text.");
        }

        return mask;
    }

    /// <summary>
    /// Noisy replicate padding (Berrada et al. 2024): padding position j of a sample with n real tokens (the real tokens
    /// come first) takes a copy of real token (j − n) mod n, plus N(0, std²) noise drawn from
    /// <paramref name="generator"/> (training mode; no noise in evaluation mode). Text [B, T, E], mask bool [B, T].
    /// </summary>
    private static Tensor NoisyReplicatePadding(Tensor text, Tensor mask, double std, Generator? generator)
    {
        using var scope = new TensorScope();
        long b = text.Size(0), t = text.Size(1), e = text.Size(2);
        Tensor n = mask.To(DType.Int64).Sum([1L], keepDim: true);                            // [B, 1]
        Tensor j = Tensor.Arange(t, DType.Int64, text.Device).Unsqueeze(0).Expand(b, t);  // [B, T]
        Tensor real = j.Lt(n);
        if (real.Ne(mask).Any().ToBoolean())
        {
            throw new ArgumentException("Noisy replicate padding needs the real text tokens first in each sample (a mask of the form [true…, false…]).");
        }

        Tensor source = Tensor.Where(real, j, j.Sub(n).Remainder(n));
        Tensor padded = text.Gather(1, source.Unsqueeze(2).Expand(b, t, e));
        if (std > 0)
        {
            if (generator is null)
            {
                throw new InvalidOperationException(
                    "Noisy replicate padding in training mode draws its noise from an explicit generator: give the conditioning a DropoutGenerator (the trainer does) or call Eval().");
            }

            Tensor noise = Tensor.Randn([b, t, e], generator, DType.Float32, text.Device).To(text.DType).Mul(std);
            padded = padded.Add(noise.Mul(real.LogicalNot().Unsqueeze(2).To(text.DType)));
        }

        return padded.MoveToOuterScope();
    }
}
