using DiffusionCore.Data;

namespace DiffusionCore.Data.Tests;

public class BatchSamplerTests
{
    [Fact]
    public void Each_epoch_is_a_permutation_depending_only_on_seed_and_epoch()
    {
        var a = new BatchSampler(100, new() { BatchSize = 10, Seed = 7 });
        var b = new BatchSampler(100, new() { BatchSize = 32, Seed = 7 });
        var c = new BatchSampler(100, new() { BatchSize = 10, Seed = 8 });
        a.EpochOrder(3).Order().Should().Equal(Enumerable.Range(0, 100));
        a.EpochOrder(3).Should().Equal(b.EpochOrder(3));
        a.EpochOrder(3).Should().NotEqual(a.EpochOrder(4));
        a.EpochOrder(0).Should().NotEqual(c.EpochOrder(0));
    }

    [Fact]
    public void Wrap_streams_epochs_back_to_back_and_resumes_at_any_position()
    {
        var sampler = new BatchSampler(10, new() { BatchSize = 4, Seed = 1 });
        var stream = Enumerable.Range(0, 5).SelectMany(_ => sampler.Next()).ToArray();
        sampler.ImagesSeen.Should().Be(20);
        stream.Should().Equal(sampler.EpochOrder(0).Concat(sampler.EpochOrder(1)));

        var resumed = new BatchSampler(10, new() { BatchSize = 4, Seed = 1 });
        resumed.Seek(8);
        resumed.Epoch.Should().Be(0);
        resumed.Next().Concat(resumed.Next()).Concat(resumed.Next()).Should().Equal(stream[8..20]);

        // A different batch size continues the same stream.
        var other = new BatchSampler(10, new() { BatchSize = 3, Seed = 1 });
        other.Seek(8);
        other.Next().Should().Equal(stream[8..11]);
    }

    [Fact]
    public void DropLast_yields_whole_batches_per_epoch_and_needs_batch_aligned_positions()
    {
        var sampler = new BatchSampler(10, new() { BatchSize = 4, Seed = 2, Tail = BatchTail.DropLast });
        sampler.ImagesPerEpoch.Should().Be(8);
        var batches = Enumerable.Range(0, 4).Select(_ => sampler.Next()).ToArray();
        batches[0].Concat(batches[1]).Should().Equal(sampler.EpochOrder(0)[..8]);
        batches[2].Concat(batches[3]).Should().Equal(sampler.EpochOrder(1)[..8]);

        var resumed = new BatchSampler(10, new() { BatchSize = 4, Seed = 2, Tail = BatchTail.DropLast });
        resumed.Seek(12);
        resumed.Next().Should().Equal(batches[3]);
        var act = () => resumed.Seek(6);
        act.Should().Throw<ArgumentException>().WithMessage("*whole number of batches*");
    }

    [Fact]
    public void Unshuffled_order_is_the_identity_and_bad_options_are_rejected()
    {
        new BatchSampler(5, new() { BatchSize = 2, Shuffle = false }).EpochOrder(9).Should().Equal(0, 1, 2, 3, 4);
        var act = () => new BatchSampler(5, new() { BatchSize = 0 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("BatchSize");
        act = () => new BatchSampler(5, new() { BatchSize = 6, Tail = BatchTail.DropLast });
        act.Should().Throw<ArgumentException>().WithMessage("*BatchTail.Wrap*");
    }
}
