"""A small EDM2 magnitude-preserving UNet in plain PyTorch, written from docs/recipes.md §2 for side-by-side timing with
DiffusionCore's Edm2UNet (same layers, same shapes). Not a reference implementation: it exists to time libtorch
kernels from Python against the same work driven from .NET.

Modes (--mode): step = forward + backward of sum((F - target)^2), as DiffusionCore.Benchmarks edm2-step; adam = the
same plus an Adam step; sample = the main job's sampling loop (EDM2 preconditioning, classifier-free guidance w = 2 in
one batched call, Heun on the EDM schedule), as edm2-sample. Precision (--precision): fp32; autocast = torch.autocast
('cpu', bfloat16), what a PyTorch user would write; bf16 = what DiffusionCore's bfloat16 products do (convolutions with
channels-last bfloat16 operands, the attention/linear products in bfloat16, everything else float32). Formulation
(--formulation): reference = the layers as EDM2's reference code writes them (silu(x) / 0.596, lerp + divide,
vector_norm + divide, clamp); diffusioncore = the same maths in DiffusionCore's Edm2UNet formulation (mp_silu's 1/0.596
and the MP-sum weights folded into the convolution weights, one add for the MP sum, MP cat scaled in one pass after
cat, normalize as sqrt(mean(x^2)) and a reciprocal multiply, the clip as hardtanh), so that .NET and Python run the same
libtorch ops."""
import argparse, math, resource, time
import torch
import torch.nn.functional as F

FOLDED = False  # --formulation diffusioncore

def normalize(x, dim=None, eps=1e-4):
    dim = list(range(1, x.ndim)) if dim is None else dim
    if FOLDED:
        rms = x.float().square().mean(dim=dim, keepdim=True).clamp(min=1e-30).sqrt()
        return x * (rms + eps).reciprocal().to(x.dtype)
    n = torch.linalg.vector_norm(x, dim=dim, keepdim=True, dtype=torch.float32)
    n = torch.add(eps, n, alpha=math.sqrt(n.numel() / x.numel()))
    return x / n.to(x.dtype)

def mp_silu(x): return F.silu(x) / 0.596
def mp_sum(a, b, t): return a.lerp(b, t) / math.sqrt((1 - t) ** 2 + t ** 2)
def mp_sum_weights(t): n = math.sqrt((1 - t) ** 2 + t ** 2); return (1 - t) / n, t / n
def mp_cat(a, b, t):
    na, nb = a.shape[1], b.shape[1]
    c = math.sqrt((na + nb) / ((1 - t) ** 2 + t ** 2))
    if FOLDED:
        w = torch.cat([torch.full([na], c / math.sqrt(na) * (1 - t)), torch.full([nb], c / math.sqrt(nb) * t)])
        return torch.cat([a, b], dim=1).mul_(w.reshape(1, -1, 1, 1))
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
        if FOLDED: return self.forward_folded(x, emb)
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
    def forward_folded(self, x, emb):
        wx, wy = mp_sum_weights(0.3)
        y = self.conv_res0(F.silu(x), gain=1 / 0.596)
        c = self.emb_linear(emb, gain=self.emb_gain) + 1
        y = self.conv_res1(F.silu(y * c[:, :, None, None]), gain=wy / 0.596)
        if self.flavor == 'dec' and self.conv_skip is not None: x = self.conv_skip(x)
        x = y.add(x, alpha=wx)
        if self.heads:
            y = self.attn_qkv(x).reshape(x.shape[0], self.heads, -1, 3, x.shape[2] * x.shape[3])
            q, k, v = normalize(y, dim=2).unbind(3)
            w = torch.einsum('nhcq,nhck->nhqk', q, k / math.sqrt(q.shape[2])).softmax(dim=3)
            x = self.attn_proj(torch.einsum('nhqk,nhck->nhcq', w, v).reshape(*x.shape), gain=wy).add(x, alpha=wx)
        return F.hardtanh(x, -256, 256) if x.dtype in (torch.float32, torch.float64) else x.clip(-256, 256)

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

def bf16_products():
    """Patches F.conv2d and torch.einsum/matmul (x @ w) the way DiffusionCore's MatmulPrecisionScope computes them."""
    conv, einsum = F.conv2d, torch.einsum
    def conv_bf(x, w, b=None, *a, **k):
        y = conv(x.to(torch.bfloat16, memory_format=torch.channels_last), w.bfloat16(), None if b is None else b.bfloat16(), *a, **k)
        return y.float()
    def einsum_bf(eq, *ops): return einsum(eq, *[o.bfloat16() for o in ops]).float()
    F.conv2d, torch.einsum = conv_bf, einsum_bf
    global MPConv
    fwd = MPConv.forward
    def mpconv_bf(self, x, gain=1):
        if self.weight.ndim != 2: return fwd(self, x, gain)
        w = self.weight.float()
        if self.training:
            with torch.no_grad(): self.weight.copy_(normalize(w))
        w = normalize(w) * (gain / math.sqrt(w[0].numel()))
        return (x.bfloat16() @ w.t().bfloat16()).float()
    MPConv.forward = mpconv_bf

def karras(n, smin=0.002, smax=80, rho=7):
    s = [(smax ** (1 / rho) + i / (n - 1) * (smin ** (1 / rho) - smax ** (1 / rho))) ** rho for i in range(n)]
    return s + [0.0]

def denoise(net, x, sigma, labels, sd=0.5):
    s = sigma.reshape(-1, 1, 1, 1)
    c_skip = sd ** 2 / (s ** 2 + sd ** 2); c_out = s * sd / (s ** 2 + sd ** 2).sqrt(); c_in = 1 / (sd ** 2 + s ** 2).sqrt()
    return c_skip * x + c_out * net(c_in * x, sigma.log() / 4, labels).float()

def guided(net, x, sigma, labels, w=2.0):
    n = x.shape[0]
    d = denoise(net, torch.cat([x, x]), torch.cat([sigma, sigma]), torch.cat([labels, torch.zeros_like(labels)]))
    return d[n:] + w * (d[:n] - d[n:])  # D_uncond + w (D_cond - D_uncond) (Ho & Salimans 2022)

def heun(net, x, sigmas, labels):
    for i in range(len(sigmas) - 1):  # EDM Algorithm 1 (no churn)
        t, t_next = sigmas[i], sigmas[i + 1]
        d = (x - guided(net, x, torch.full([x.shape[0]], t), labels)) / t
        x_next = x + (t_next - t) * d
        if t_next > 0:
            d2 = (x_next - guided(net, x_next, torch.full([x.shape[0]], t_next), labels)) / t_next
            x_next = x + (t_next - t) * (0.5 * d + 0.5 * d2)
        x = x_next
    return x

def median(v): return sorted(v)[len(v) // 2]

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--channels', type=int, default=32); p.add_argument('--blocks', type=int, default=1)
    p.add_argument('--batch', type=int, default=64); p.add_argument('--img-channels', type=int, default=1)
    p.add_argument('--labels', type=int, default=10); p.add_argument('--attn', type=int, nargs='*', default=[8])
    p.add_argument('--threads', type=int, default=2); p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2); p.add_argument('--mode', choices=['step', 'adam', 'sample'], default='adam')
    p.add_argument('--precision', choices=['fp32', 'autocast', 'bf16'], default='fp32')
    p.add_argument('--sample-steps', type=int, default=18)
    p.add_argument('--formulation', choices=['reference', 'diffusioncore'], default='reference')
    a = p.parse_args()
    FOLDED = a.formulation == 'diffusioncore'
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    if a.precision == 'bf16': bf16_products()
    ctx = (lambda: torch.autocast('cpu', dtype=torch.bfloat16)) if a.precision == 'autocast' else (lambda: torch.autocast('cpu', enabled=False))
    net = UNet(32, a.img_channels, a.labels, a.channels, [1, 2, 2], a.blocks, a.attn)
    lab = F.one_hot(torch.randint(0, max(1, a.labels), (a.batch,)), max(1, a.labels)).float() if a.labels else None
    times = []
    if a.mode == 'sample':
        net.eval(); sigmas = karras(a.sample_steps)
        for i in range(a.steps + a.warmup):
            x = torch.randn(a.batch, a.img_channels, 32, 32) * sigmas[0]
            t = time.perf_counter()
            with torch.inference_mode(), ctx(): heun(net, x, sigmas, lab)
            times.append(time.perf_counter() - t)
        m = median(times[a.warmup:]) * 1000
        print(f"edm2_sample batch {a.batch}, Heun {a.sample_steps} steps, CFG batched, {a.precision}, {a.formulation}: median {m:.0f} ms/run = {m / a.batch:.2f} ms/image")
    else:
        net.train()
        with torch.no_grad(): net.out_gain.fill_(1)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        x = torch.randn(a.batch, a.img_channels, 32, 32); noise = torch.randn(a.batch); target = torch.randn(a.batch, a.img_channels, 32, 32)
        for i in range(a.steps + a.warmup):
            t = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            with ctx(): loss = (net(x, noise, lab).float() - target).square().sum()
            loss.backward()
            if a.mode == 'adam': opt.step()
            times.append(time.perf_counter() - t)
        what = 'fwd+bwd+adam' if a.mode == 'adam' else 'fwd+bwd'
        print(f"params {sum(p.numel() for p in net.parameters())}, {what} {a.precision}, {a.formulation}: median {median(times[a.warmup:]) * 1000:.0f} ms/step (batch {a.batch}, {a.threads} threads)")
    print(f"peak RSS (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} kB")
