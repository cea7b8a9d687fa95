using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Optim;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Torch.Tests.Serialization;

public class StateDictFileTests
{
    /// <summary>
    /// The parameter layout of the dit_tiny reference (DiT, Peebles &amp; Xie): built from plain nn layers under the
    /// PyTorch key names, to prove that a state dict exported from PyTorch loads strictly by name.
    /// </summary>
    private sealed class DitTinyLayout : Module
    {
        public DitTinyLayout(Generator g)
        {
            const int d = 64;
            RegisterParameter("pos_embed", Tensor.Zeros([1, 16, d]), requiresGrad: false);
            RegisterModule("x_embedder", new Holder().With("proj", new Conv2d(4, d, 2, stride: 2, generator: g)));
            RegisterModule("t_embedder", new Holder().With("mlp", new Sequential(new Linear(256, d, generator: g), new Silu(), new Linear(d, d, generator: g))));
            RegisterModule("y_embedder", new Holder().With("embedding_table", new Embedding(11, d, generator: g)));
            var blocks = new ModuleList();
            for (int i = 0; i < 2; i++)
            {
                blocks.Add(new Holder()
                    .With("attn", new Holder().With("qkv", new Linear(d, 3 * d, generator: g)).With("proj", new Linear(d, d, generator: g)))
                    .With("mlp", new Holder().With("fc1", new Linear(d, 4 * d, generator: g)).With("fc2", new Linear(4 * d, d, generator: g)))
                    .With("adaLN_modulation", new Sequential(new Silu(), new Linear(d, 6 * d, generator: g))));
            }

            RegisterModule("blocks", blocks);
            RegisterModule("final_layer", new Holder()
                .With("linear", new Linear(d, 2 * 2 * 8, generator: g))
                .With("adaLN_modulation", new Sequential(new Silu(), new Linear(d, 2 * d, generator: g))));
        }
    }

    private sealed class Holder : Module
    {
        public Holder With(string name, Module child)
        {
            RegisterModule(name, child);
            return this;
        }
    }

    [Fact]
    public void A_reference_fixture_state_dict_loads_strictly_by_pytorch_key()
    {
        using var g = new Generator(1);
        using var model = new DitTinyLayout(g);
        string path = TestPaths.ReferenceFixture("dit_tiny");

        StateDictLoadResult result = model.LoadStateDict(path, strict: true, keyPrefix: "state.");

        result.IsExactMatch.Should().BeTrue();
        using var scope = new TensorScope();
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        foreach ((string key, Tensor value) in model.StateDict())
        {
            value.ToArray<float>().Should().Equal(file.Read("state." + key).ToArray<float>(), key);
        }
    }

    [Fact]
    public void Loading_a_fixture_without_the_prefix_reports_every_key()
    {
        using var g = new Generator(1);
        using var model = new DitTinyLayout(g);

        Action act = () => model.LoadStateDict(TestPaths.ReferenceFixture("dit_tiny"), strict: true);

        act.Should().Throw<StateDictLoadException>()
            .WithMessage("*blocks.0.attn.qkv.weight*")
            .WithMessage("*state.blocks.0.attn.qkv.weight*");
    }

    [Fact]
    public void A_prefix_that_matches_nothing_lists_the_prefixes_in_the_file()
    {
        using var g = new Generator(1);
        using var model = new DitTinyLayout(g);

        Action act = () => model.LoadStateDict(TestPaths.ReferenceFixture("dit_tiny"), strict: true, keyPrefix: "ema.wrong.");

        act.Should().Throw<ArgumentException>().WithMessage("*No tensor in*starts with 'ema.wrong.'*prefixes in the file are:*state.*");
    }

    [Fact]
    public void A_state_dict_written_by_us_loads_strictly_into_a_fresh_module()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        using var g1 = new Generator(1);
        using var g2 = new Generator(2);
        using var source = new DitTinyLayout(g1);
        using var target = new DitTinyLayout(g2);

        source.SaveStateDict(path, new Dictionary<string, string> { ["config"] = "dit-tiny-layout" });
        target.LoadStateDict(path).IsExactMatch.Should().BeTrue();

        using var scope = new TensorScope();
        var expected = source.StateDict();
        foreach ((string key, Tensor value) in target.StateDict())
        {
            value.ToArray<float>().Should().Equal(expected[key].ToArray<float>(), key);
        }

        SafeTensors.Load(path).Metadata["config"].Should().Be("dit-tiny-layout");
    }

    [Fact]
    public void Optimizer_state_survives_a_file_round_trip_and_resumes_bit_for_bit()
    {
        using var dir = new TempDirectory();
        string path = dir.File("optimizer.safetensors");
        using var g = new Generator(3);
        using var straight = new Linear(4, 3, generator: g);
        using var resumed = new Linear(4, 3, generator: g);
        resumed.LoadStateDict(straight.StateDict());
        using var data = Tensor.Randn([8, 4], g).DetachFromScope();
        using var optA = new Adam(straight.Parameters(), new AdamOptions { LearningRate = 0.01 });
        using var optB = new Adam(resumed.Parameters(), new AdamOptions { LearningRate = 0.01 });

        void StepOn(Module m, Optimizer o)
        {
            using var scope = new TensorScope();
            o.ZeroGrad();
            ((Linear)m).Forward(data).Square().Mean().Backward();
            o.Step();
        }

        for (int i = 0; i < 3; i++)
        {
            StepOn(straight, optA);
            StepOn(resumed, optB);
        }

        using (OptimizerState state = optB.StateDict())
        {
            state.Save(path);
        }

        using var optC = new Adam(resumed.Parameters(), new AdamOptions { LearningRate = 0.01 });
        using (OptimizerState loaded = StateDictFiles.LoadOptimizerState(path))
        {
            optC.LoadStateDict(loaded);
        }

        for (int i = 0; i < 3; i++)
        {
            StepOn(straight, optA);
            StepOn(resumed, optC);
        }

        using var check = new TensorScope();
        straight.Weight.ToArray<float>().Should().Equal(resumed.Weight.ToArray<float>());
    }
}
