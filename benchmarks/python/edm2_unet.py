"""A small EDM2 magnitude-preserving UNet in plain PyTorch, written from RECIPES.md §2 for side-by-side timing with
DiffusionCore's Edm2UNet (same layers, same shapes). Not a reference implementation: it exists to time libtorch
kernels from Python against the same work driven from .NET."""
import argparse, math, time
import torch
import torch.nn.functional as F

def normalize(x, dim=None, eps=1e-4):
    dim = list(range(1, x.ndim)) if dim is None else dim
    n = torch.linalg.vector_norm(x, dim=dim, keepdim=True, dtype=torch.float32)
    n = torch.add(eps, n, alpha=math.sqrt(n.numel() / x.numel()))
    return x / n.to(x.dtype)

def mp_silu(x): return F.silu(x) / 0.596
def mp_sum(a, b, t): return a.lerp(b, t) / math.sqrt((1 - t) ** 2 + t ** 2)
def mp_cat(a, b, t):
    na, nb = a.shape[1], b.shape[1]
    c = math.sqrt((na + nb) / ((1 - t) ** 2 + t ** 2))
    return torch.cat([c / math.sqrt(na) * (1 - t) * a, c / math.sqrt(nb) * t * b], dim=1)

class MPConv(torch.nn.Module):
    def __init__(self, cin, cout, k):
        super().__init__(); self.weight = torch.nn.Parameter(torch.randn(cout, cin, *k))
    def forward(self, x, gain=1):
        w = self.weight.float()
        if self.training:
            with torch.no_grad(): self.weight.copy_(normalize(w))
        w = normalize(w) * (gain / math.sqrt(w[0].numel()))
        return x @ w.t() if w.ndim == 2 else F.conv2d(x, w, padding=w.shape[-1] // 2)

class MPFourier(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.register_buffer('freqs', 2 * math.pi * torch.randn(c)); self.register_buffer('phases', 2 * math.pi * torch.rand(c))
    def forward(self, x): return (x.ger(self.freqs) + self.phases).cos() * math.sqrt(2)

class Block(torch.nn.Module):
    def __init__(self, cin, cout, cemb, flavor, resample='keep', attention=False):
        super().__init__()
        self.flavor, self.resample, self.heads = flavor, resample, (cout // 64 if attention else 0) or (1 if attention else 0)
        self.emb_gain = torch.nn.Parameter(torch.zeros([]))
        self.conv_res0 = MPConv(cout if flavor == 'enc' else cin, cout, [3, 3])
        self.emb_linear = MPConv(cemb, cout, [])
        self.conv_res1 = MPConv(cout, cout, [3, 3])
        self.conv_skip = MPConv(cin, cout, [1, 1]) if cin != cout else None
        self.attn_qkv = MPConv(cout, cout * 3, [1, 1]) if self.heads else None
        self.attn_proj = MPConv(cout, cout, [1, 1]) if self.heads else None
    def forward(self, x, emb):
        if self.resample == 'down': x = F.avg_pool2d(x, 2)
        if self.resample == 'up': x = F.interpolate(x, scale_factor=2, mode='nearest')
        if self.flavor == 'enc':
            if self.conv_skip is not None: x = self.conv_skip(x)
            x = normalize(x, dim=1)
        y = self.conv_res0(mp_silu(x))
        c = self.emb_linear(emb, gain=self.emb_gain) + 1
        y = self.conv_res1(mp_silu(y * c[:, :, None, None]))
        if self.flavor == 'dec' and self.conv_skip is not None: x = self.conv_skip(x)
        x = mp_sum(x, y, 0.3)
        if self.heads:
            y = self.attn_qkv(x).reshape(x.shape[0], self.heads, -1, 3, x.shape[2] * x.shape[3])
            q, k, v = normalize(y, dim=2).unbind(3)
            w = torch.einsum('nhcq,nhck->nhqk', q, k / math.sqrt(q.shape[2])).softmax(dim=3)
            y = self.attn_proj(torch.einsum('nhqk,nhck->nhcq', w, v).reshape(*x.shape))
            x = mp_sum(x, y, 0.3)
        return x.clip(-256, 256)

class UNet(torch.nn.Module):
    def __init__(self, res, cimg, labels, ch, mult, blocks, attn):
        super().__init__()
        cblock = [ch * m for m in mult]; cemb = max(cblock)
        self.out_gain = torch.nn.Parameter(torch.zeros([]))
        self.emb_fourier = MPFourier(cblock[0]); self.emb_noise = MPConv(cblock[0], cemb, [])
        self.emb_label = MPConv(labels, cemb, []) if labels else None
        self.enc = torch.nn.ModuleDict(); cout = cimg + 1
        for level, c in enumerate(cblock):
            r = res >> level
            if level == 0: self.enc[f'{r}_conv'] = MPConv(cout, c, [3, 3]); cout = c
            else: self.enc[f'{r}_down'] = Block(cout, cout, cemb, 'enc', 'down')
            for i in range(blocks): self.enc[f'{r}_block{i}'] = Block(cout, c, cemb, 'enc', attention=r in attn); cout = c
        self.dec = torch.nn.ModuleDict(); skips = [b.conv_res1.weight.shape[0] if isinstance(b, Block) else b.weight.shape[0] for b in self.enc.values()]
        for level, c in reversed(list(enumerate(cblock))):
            r = res >> level
            if level == len(cblock) - 1:
                self.dec[f'{r}_in0'] = Block(cout, cout, cemb, 'dec', attention=True); self.dec[f'{r}_in1'] = Block(cout, cout, cemb, 'dec')
            else: self.dec[f'{r}_up'] = Block(cout, cout, cemb, 'dec', 'up')
            for i in range(blocks + 1):
                cin = cout + skips.pop(); self.dec[f'{r}_block{i}'] = Block(cin, c, cemb, 'dec', attention=r in attn); cout = c
        self.out_conv = MPConv(cout, cimg, [3, 3])
    def forward(self, x, noise, labels):
        emb = self.emb_noise(self.emb_fourier(noise))
        if self.emb_label is not None: emb = mp_sum(emb, self.emb_label(labels * math.sqrt(labels.shape[1])), 0.5)
        emb = mp_silu(emb)
        x = torch.cat([x, torch.ones_like(x[:, :1])], dim=1); skips = []
        for name, b in self.enc.items():
            x = b(x) if 'conv' in name else b(x, emb); skips.append(x)
        for name, b in self.dec.items():
            if 'block' in name: x = mp_cat(x, skips.pop(), 0.5)
            x = b(x, emb)
        return self.out_conv(x, gain=self.out_gain)

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--channels', type=int, default=32); p.add_argument('--blocks', type=int, default=1)
    p.add_argument('--batch', type=int, default=64); p.add_argument('--img-channels', type=int, default=1)
    p.add_argument('--labels', type=int, default=10); p.add_argument('--attn', type=int, nargs='*', default=[8])
    p.add_argument('--threads', type=int, default=2); p.add_argument('--steps', type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    net = UNet(32, a.img_channels, a.labels, a.channels, [1, 2, 2], a.blocks, a.attn).train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(a.batch, a.img_channels, 32, 32); sigma = torch.rand(a.batch) + 0.1
    lab = F.one_hot(torch.randint(0, max(1, a.labels), (a.batch,)), max(1, a.labels)).float() if a.labels else None
    times = []
    for i in range(a.steps + 1):
        t = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        net(x, sigma.log() / 4, lab).square().mean().backward(); opt.step()
        times.append(time.perf_counter() - t)
    print(f"params {sum(p.numel() for p in net.parameters())}, fwd+bwd+adam median {sorted(times[1:])[len(times[1:]) // 2] * 1000:.0f} ms/step (batch {a.batch}, {a.threads} threads)")
