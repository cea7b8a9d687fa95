namespace DiffusionCore.Data;

/// <summary>The two published splits of Fashion-MNIST (Xiao et al. 2017).</summary>
public enum FashionMnistSplit
{
    /// <summary>The 60,000 training images (train-images-idx3-ubyte, train-labels-idx1-ubyte).</summary>
    Train = 0,

    /// <summary>The 10,000 test images (t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte).</summary>
    Test = 1,
}
