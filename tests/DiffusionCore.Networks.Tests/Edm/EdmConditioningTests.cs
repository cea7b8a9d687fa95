using DiffusionCore.Networks.Edm;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>Class labels, augmentation labels, dropout and label dropout of the EDM networks.</summary>
public class EdmConditioningTests
{
    private static readonly float[] NoiseLabels = [-0.3f, 0.4f];

    [Fact]
    public void Integer_class_indices_equal_one_hot_labels()
    {
        using var g = new Generator(2);
        using var song = new SongUNet(TinyEdm.Song, g);
        using var adm = new DhariwalUNet(TinyEdm.Adm, g);
        using var scope = new TensorScope();
        Tensor x = TinyEdm.Images(4);
        Tensor t = Tensor.FromArray(NoiseLabels);
        Tensor indices = Tensor.FromArray(new long[] { 1, 3 });
        Conditioning oneHot = Conditioning.FromClassLabels(indices.OneHot(4).To(DType.Float32));
        TinyEdm.MaxAbsDiff(song.Forward(x, t, Conditioning.FromClassLabels(indices)), song.Forward(x, t, oneHot)).Should().Be(0);
        TinyEdm.MaxAbsDiff(adm.Forward(x, t, Conditioning.FromClassLabels(indices)), adm.Forward(x, t, oneHot)).Should().Be(0);
    }

    [Fact]
    public void Missing_labels_are_zero_labels_and_labels_change_the_output()
    {
        using var g = new Generator(2);
        using var net = new SongUNet(TinyEdm.Song with { AugmentDim = 0 }, g);
        using var scope = new TensorScope();
        Tensor x = TinyEdm.Images(4);
        Tensor t = Tensor.FromArray(NoiseLabels);
        Tensor none = net.Forward(x, t, Conditioning.None);
        TinyEdm.MaxAbsDiff(none, net.Forward(x, t, Conditioning.FromClassLabels(Tensor.Zeros([2, 4])))).Should().Be(0);
        TinyEdm.MaxAbsDiff(none, net.Forward(x, t, TinyEdm.Labels(augmentDim: 0))).Should().BePositive();
    }

    [Fact]
    public void Augment_labels_are_used_when_present()
    {
        using var g = new Generator(2);
        using var net = new SongUNet(TinyEdm.Song, g);
        using var scope = new TensorScope();
        Tensor x = TinyEdm.Images(4);
        Tensor t = Tensor.FromArray(NoiseLabels);
        Conditioning labels = TinyEdm.Labels(augmentDim: 0);
        Tensor plain = net.Forward(x, t, labels);
        TinyEdm.MaxAbsDiff(plain, net.Forward(x, t, labels.With(ConditioningKeys.AugmentLabels, Tensor.Zeros([2, 2])))).Should().Be(0, "zero augmentation labels mean not augmented");
        TinyEdm.MaxAbsDiff(plain, net.Forward(x, t, TinyEdm.Labels())).Should().BePositive();
    }

    [Fact]
    public void Dropout_is_reproducible_with_a_seeded_generator_and_the_identity_in_eval()
    {
        using var init = new Generator(2);
        using var net = new DhariwalUNet(TinyEdm.Adm with { Dropout = 0.5 }, init);
        TinyEdm.Randomize(net);
        using var scope = new TensorScope();
        Tensor x = TinyEdm.Images(4);
        Tensor t = Tensor.FromArray(NoiseLabels);
        Conditioning c = TinyEdm.Labels();

        net.Train();
        using var g = new Generator(11);
        Conditioning drawing = c.WithDropoutGenerator(g);
        Tensor a = net.Forward(x, t, drawing);
        g.Seed(11);
        Tensor b = net.Forward(x, t, drawing);
        Tensor other = net.Forward(x, t, drawing);
        TinyEdm.MaxAbsDiff(a, b).Should().Be(0, "the same seed gives the same dropout masks");
        TinyEdm.MaxAbsDiff(a, other).Should().BePositive("a new draw gives new masks");

        net.Eval();
        Tensor e1 = net.Forward(x, t, c);
        Tensor e2 = net.Forward(x, t, c);
        TinyEdm.MaxAbsDiff(e1, e2).Should().Be(0);
        using var noDropout = new DhariwalUNet(TinyEdm.Adm, new Generator(2));
        noDropout.LoadStateDict(net.StateDict());
        noDropout.Train();
        TinyEdm.MaxAbsDiff(e1, noDropout.Forward(x, t, c)).Should().Be(0, "dropout is the identity in eval mode");
    }

    [Fact]
    public void Label_dropout_zeroes_labels_in_training_only()
    {
        using var init = new Generator(2);
        using var net = new SongUNet(TinyEdm.Song with { LabelDropout = 1 }, init);
        using var scope = new TensorScope();
        Tensor x = TinyEdm.Images(4);
        Tensor t = Tensor.FromArray(NoiseLabels);
        Conditioning labels = TinyEdm.Labels(augmentDim: 0);
        Tensor unconditional = net.Forward(x, t, Conditioning.None);

        net.Train();
        TinyEdm.MaxAbsDiff(net.Forward(x, t, labels), unconditional).Should().Be(0, "p = 1 drops every label in training");
        net.Eval();
        TinyEdm.MaxAbsDiff(net.Forward(x, t, labels), unconditional).Should().BePositive("labels are kept in eval");
    }

    [Fact]
    public void Label_dropout_is_reproducible_with_a_seeded_generator()
    {
        using var init = new Generator(2);
        using var net = new DhariwalUNet(TinyEdm.Adm with { LabelDropout = 0.5 }, init);
        TinyEdm.Randomize(net);
        net.Train();
        using var scope = new TensorScope();
        Tensor x = TinyEdm.Images(4, batch: 8);
        Tensor t = Tensor.Zeros([8]);
        Conditioning labels = TinyEdm.Labels(batch: 8, augmentDim: 0);
        using var g = new Generator(21);
        Tensor a = net.Forward(x, t, labels.WithDropoutGenerator(g));
        g.Seed(21);
        TinyEdm.MaxAbsDiff(a, net.Forward(x, t, labels.WithDropoutGenerator(g))).Should().Be(0);
    }

    [Fact]
    public void Wrong_label_shapes_are_rejected_with_clear_messages()
    {
        using var g = new Generator(2);
        using var net = new SongUNet(TinyEdm.Song, g);
        using var scope = new TensorScope();
        Tensor x = TinyEdm.Images(4);
        Tensor t = Tensor.FromArray(NoiseLabels);
        Action wide = () => net.Forward(x, t, Conditioning.FromClassLabels(Tensor.Zeros([2, 5])));
        wide.Should().Throw<ArgumentException>().WithMessage("*one-hot floats [2, 4]*");
        Action range = () => net.Forward(x, t, Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 0, 4 })));
        range.Should().Throw<ArgumentException>().WithMessage("*[0, 4)*");
        Action augment = () => net.Forward(x, t, Conditioning.None.With(ConditioningKeys.AugmentLabels, Tensor.Zeros([2, 9])));
        augment.Should().Throw<ArgumentException>().WithMessage("*Augmentation labels must be floats [2, 2]*");
        Action channels = () => net.Forward(TinyEdm.Images(4, channels: 1), t, Conditioning.None);
        channels.Should().Throw<ArgumentException>().WithMessage("*[B, 3, H, W]*");
    }
}
