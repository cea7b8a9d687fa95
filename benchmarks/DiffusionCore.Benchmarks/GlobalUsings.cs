// Inside namespace DiffusionCore.Benchmarks the name "Torch" would resolve to the DiffusionCore.Torch namespace.
global using TorchLib = DiffusionCore.Torch.Torch;
