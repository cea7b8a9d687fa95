using DiffusionCore.Data;

namespace DiffusionCore.Training.Tests;

public class ContractTests
{
    [Fact]
    public void ImageBatch_holds_images_and_optional_labels()
    {
        using var scope = new DiffusionCore.Torch.TensorScope();
        var batch = new ImageBatch(DiffusionCore.Torch.Tensor.Zeros([2, 1, 4, 4]), null);
        batch.Labels.Should().BeNull();
        batch.Images.Shape.Should().Equal(2, 1, 4, 4);
    }
}
