using DiffusionCore.Data;
using DiffusionCore.Torch;

namespace DiffusionCore.Data.Tests;

public class FashionMnistTests
{
    private static readonly Lazy<FashionMnistDataset> Train = new(() => FashionMnistDataset.Load());
    private static readonly Lazy<FashionMnistDataset> Test = new(() => FashionMnistDataset.Load(new() { Split = FashionMnistSplit.Test }));

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Dataset)]
    public void Train_split_has_60000_labelled_28x28_grey_images()
    {
        FashionMnistData.SkipIfMissing();
        var ds = Train.Value;
        ds.Count.Should().Be(60000);
        (ds.Channels, ds.Height, ds.Width, ds.LabelCount).Should().Be((1, 28, 28, 10));
        ds.Split.Should().Be(FashionMnistSplit.Train);
        Enumerable.Range(0, 10).Select(ds.GetLabel).Should().Equal(9, 0, 0, 3, 0, 2, 7, 2, 5, 5);
        Enumerable.Range(0, ds.Count).Count(i => ds.GetLabel(i) == 4).Should().Be(6000);
        ds.GetPixels(0).ToArray().Sum(b => (int)b).Should().Be(76247);
    }

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Dataset)]
    public void Test_split_has_10000_images_with_known_first_labels()
    {
        FashionMnistData.SkipIfMissing();
        var ds = Test.Value;
        ds.Count.Should().Be(10000);
        Enumerable.Range(0, 10).Select(ds.GetLabel).Should().Equal(9, 2, 1, 1, 6, 1, 4, 6, 5, 7);
        ds.GetPixels(0).ToArray().Sum(b => (int)b).Should().Be(33456);
    }

    [Fact]
    public void Class_names_follow_the_label_order()
    {
        FashionMnistDataset.ClassNames.Should().HaveCount(10);
        FashionMnistDataset.ClassNames[0].Should().Be("T-shirt/top");
        FashionMnistDataset.ClassNames[9].Should().Be("Ankle boot");
    }

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Dataset)]
    public void ReadBatch_scales_pixels_to_minus_one_one_and_returns_int64_labels()
    {
        FashionMnistData.SkipIfMissing();
        using var scope = new TensorScope();
        var ds = Train.Value;
        var batch = ds.ReadBatch([0, 1, 59999]);
        batch.Images.Shape.Should().Equal(3, 1, 28, 28);
        batch.Images.DType.Should().Be(DType.Float32);
        batch.Images.Min().ToDouble().Should().Be(-1);
        batch.Images.Max().ToDouble().Should().Be(1);
        batch.Labels!.DType.Should().Be(DType.Int64);
        batch.Labels.ToArray<long>().Should().Equal(9, 0, ds.GetLabel(59999));

        // Same pixels as the raw bytes: x = b / 127.5 − 1.
        float[] first = batch.Images[0].Contiguous().ToArray<float>();
        byte[] raw = ds.GetPixels(0).ToArray();
        first.Select(v => (int)Math.Round((v + 1) * 127.5)).Should().Equal(raw.Select(b => (int)b));
    }

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Dataset)]
    public void Resolution_32_zero_pads_two_pixels_of_background_on_each_side()
    {
        FashionMnistData.SkipIfMissing();
        using var scope = new TensorScope();
        var ds = FashionMnistDataset.Load(new() { Resolution = 32, MaxCount = 8 });
        ds.Count.Should().Be(8);
        (ds.Height, ds.Width).Should().Be((32, 32));
        var batch = ds.ReadBatch([0, 7]);
        batch.Images.Shape.Should().Equal(2, 1, 32, 32);
        batch.Images.Narrow(2, 0, 2).Max().ToDouble().Should().Be(-1);
        batch.Images.Narrow(3, 30, 2).Max().ToDouble().Should().Be(-1);
        using var inner = batch.Images.Narrow(2, 2, 28).Narrow(3, 2, 28);
        using var plain = Train.Value.ReadBatch([0, 7]).Images;
        inner.Sub(plain).Abs().Max().ToDouble().Should().Be(0);
    }

    [Fact]
    public void Missing_files_name_the_debian_package()
    {
        string empty = Directory.CreateTempSubdirectory("dc-fmnist-").FullName;
        try
        {
            var act = () => FashionMnistDataset.Load(new() { Directory = empty });
            act.Should().Throw<DatasetNotFoundException>()
                .WithMessage("*train-images-idx3-ubyte.gz*apt-get install dataset-fashion-mnist*");
        }
        finally
        {
            Directory.Delete(empty, true);
        }
    }

    [Fact]
    public void Invalid_options_are_rejected_with_the_option_named()
    {
        var act = () => FashionMnistDataset.Load(new() { Resolution = 20 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Resolution");
        act = () => FashionMnistDataset.Load(new() { MaxCount = 0 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("MaxCount");
    }

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Dataset)]
    public void Out_of_range_indices_are_rejected()
    {
        FashionMnistData.SkipIfMissing();
        var act = () => Train.Value.ReadBatch([60000]);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Mismatched_image_and_label_counts_are_reported()
    {
        string dir = Directory.CreateTempSubdirectory("dc-fmnist-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), IdxBytes.Build([0, 0, 8, 3], [3, 28, 28], 3 * 784));
            File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), IdxBytes.Build([0, 0, 8, 1], [2], 2));
            var act = () => FashionMnistDataset.Load(new() { Directory = dir });
            act.Should().Throw<DatasetFormatException>().WithMessage("*2 labels*3 images*");

            File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), IdxBytes.Build([0, 0, 8, 1], [3], 3, fill: 10));
            act.Should().Throw<DatasetFormatException>().WithMessage("*label 10*");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
