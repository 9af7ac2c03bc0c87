#!/usr/bin/python3
"""A small DDPM-style U-Net score model on the 8 x 8 UCI digits, trained and exported with PyTorch.

The network is the kind users bring: convolutions, GroupNorm, SiLU, residual blocks with a projected
time embedding, strided-convolution down-sampling, nearest-neighbour up-sampling with skip
concatenation, and one self-attention block at the lowest resolution. Channels 32 / 64 / 128 at
8 x 8 / 4 x 4 / 2 x 2. The time embedding is DDPM's sinusoidal one of 1000 t followed by a
Linear -> SiLU -> Linear MLP.

Diffusion: VP-SDE, beta 0.1 -> 20 (the score-SDE standard), t ~ U(1e-4, 1) (memgrid's samplers end at 1e-4). The network predicts the
noise eps and the graph returns the score -eps / sigma(t), so the exported model is a score network
like every memgrid model. Data: the 8 x 8 UCI digits of classes 0-8 (datasets/digits; the classes the
shipped digits9 classifier knows), the training split memgrid uses for its VAEs (every image whose line
index is not a multiple of 5; the rest are the held-out images the classifier judges against), pixels
0..16 mapped to [-1, 1]. Adam 2e-4, batch 128, EMA 0.999.
Everything is seeded: re-running gives the same file on the same machine.

    /usr/bin/python3 models/pytorch/unet_digits.py --out models/unet-digits.onnx
"""
import argparse, gzip, hashlib, math, os, time
import torch, torch.nn as nn, torch.nn.functional as F, onnx

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--out", default="unet-digits.onnx")
p.add_argument("--steps", type=int, default=6000, help="optimiser steps")
p.add_argument("--seed", type=int, default=1)
p.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "datasets", "digits", "digits.csv.gz"))
p.add_argument("--samples", type=int, default=0, help="also sample this many images with PyTorch per seed (probability-flow Euler as memgrid baseline runs it) into OUT.torch-samples-seedS.csv")
p.add_argument("--sample-steps", type=int, default=1000)
p.add_argument("--sample-seeds", default="1,2,3", help="seeds of PyTorch's own sampling runs")
args = p.parse_args()

torch.manual_seed(args.seed)
torch.set_num_threads(max(1, os.cpu_count() or 1))
BETA0, BETA1, T_MIN = 0.1, 20.0, 1e-4

rows = [list(map(int, line.split(","))) for line in gzip.open(args.data, "rt")]
rows = [r for i, r in enumerate(rows) if i % 5 != 0 and r[64] <= 8]
images = torch.tensor([r[:64] for r in rows], dtype=torch.float32).view(-1, 1, 8, 8) / 8 - 1

def sinusoidal(t, dim=32):
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - 1))
    return freqs

class ResBlock(nn.Module):
    def __init__(self, cin, cout, tdim):
        super().__init__()
        self.n1, self.c1 = nn.GroupNorm(8, cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(tdim, cout)
        self.n2, self.c2 = nn.GroupNorm(8, cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()
    def forward(self, x, temb):
        h = self.c1(F.silu(self.n1(x))) + self.t(temb)[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return h + self.skip(x)

class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm, self.qkv, self.out = nn.GroupNorm(8, c), nn.Conv2d(c, 3 * c, 1), nn.Conv2d(c, c, 1)
    def forward(self, x):
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3, c, h * w).unbind(1)
        a = torch.softmax(torch.bmm(q.transpose(1, 2), k) / math.sqrt(c), dim=-1)   # [n, hw, hw]
        return x + self.out(torch.bmm(v, a.transpose(1, 2)).reshape(n, c, h, w))

class UNet(nn.Module):
    def __init__(self, ch=(32, 64, 128), tdim=128):
        super().__init__()
        self.register_buffer("freqs", sinusoidal(None))
        self.temb = nn.Sequential(nn.Linear(32, tdim), nn.SiLU(), nn.Linear(tdim, tdim))
        self.inc = nn.Conv2d(1, ch[0], 3, padding=1)
        self.d0 = ResBlock(ch[0], ch[0], tdim)
        self.down0 = nn.Conv2d(ch[0], ch[0], 3, stride=2, padding=1)
        self.d1 = ResBlock(ch[0], ch[1], tdim)
        self.down1 = nn.Conv2d(ch[1], ch[1], 3, stride=2, padding=1)
        self.m0, self.attn, self.m1 = ResBlock(ch[1], ch[2], tdim), Attention(ch[2]), ResBlock(ch[2], ch[2], tdim)
        self.u1 = ResBlock(ch[2] + ch[1], ch[1], tdim)
        self.u0 = ResBlock(ch[1] + ch[0], ch[0], tdim)
        self.outn, self.outc = nn.GroupNorm(8, ch[0]), nn.Conv2d(ch[0], 1, 3, padding=1)
    def eps(self, x, t):
        phase = 1000 * t[:, None] * self.freqs[None, :]
        temb = F.silu(self.temb(torch.cat([torch.sin(phase), torch.cos(phase)], 1)))
        h0 = self.d0(self.inc(x), temb)                            # 8 x 8
        h1 = self.d1(self.down0(h0), temb)                         # 4 x 4
        h = self.m1(self.attn(self.m0(self.down1(h1), temb)), temb)   # 2 x 2
        h = self.u1(torch.cat([F.interpolate(h, scale_factor=2.0, mode="nearest"), h1], 1), temb)
        h = self.u0(torch.cat([F.interpolate(h, scale_factor=2.0, mode="nearest"), h0], 1), temb)
        return self.outc(F.silu(self.outn(h)))
    def forward(self, x, t):
        """The score of x [N, 64] (flattened 8 x 8 images) at diffusion time t [N]."""
        return -self.eps(x.view(-1, 1, 8, 8), t).view(-1, 64) / sigma(t)[:, None]

def integral(t): return BETA0 * t + 0.5 * t * t * (BETA1 - BETA0)
def sigma(t): return torch.sqrt(1 - torch.exp(-integral(t)))

model = UNet()
ema = UNet()
ema.load_state_dict(model.state_dict())
opt = torch.optim.Adam(model.parameters(), lr=2e-4)
started = time.time()
for step in range(args.steps):
    x0 = images[torch.randint(len(images), (128,))]
    t = torch.rand(128) * (1 - T_MIN) + T_MIN
    z = torch.randn_like(x0)
    xt = torch.exp(-0.5 * integral(t))[:, None, None, None] * x0 + sigma(t)[:, None, None, None] * z
    loss = ((model.eps(xt, t) - z) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        for e, m in zip(ema.parameters(), model.parameters()):
            e.mul_(0.999).add_(m, alpha=0.001)
    if (step + 1) % max(1, args.steps // 20) == 0:
        print(f"step {step + 1}/{args.steps}  loss {loss.item():.4f}  {time.time() - started:.0f} s", flush=True)

ema.eval()
out = os.path.abspath(args.out)
csv_path = os.path.splitext(out)[0] + ".data.csv"
with open(csv_path, "w") as f:
    f.write(",".join(f"x{i + 1}" for i in range(64)) + ",label\n")
    for img, r in zip(images.view(-1, 64).tolist(), rows):
        f.write(",".join(f"{v:g}" for v in img) + f",{r[64]}\n")
torch.onnx.export(ema, (torch.zeros(1, 64), torch.full((1,), 0.5)), out, opset_version=17,
                  input_names=["x", "t"], output_names=["score"],
                  dynamic_axes={"x": {0: "n"}, "t": {0: "n"}, "score": {0: "n"}})
m = onnx.load(out)
meta = {"memgrid.sde": "vp", "memgrid.beta_min": str(BETA0), "memgrid.beta_max": str(BETA1),
        "memgrid.task": "csv:" + os.path.basename(csv_path),
        "memgrid.task_sha256": hashlib.sha256(open(csv_path, "rb").read()).hexdigest(),
        "memgrid.image_shape": "1,8,8", "memgrid.image_range": "-1,1",
        "memgrid.image_judge": "digits9-vae.onnx",
        "memgrid.provenance.trainer": "PyTorch " + torch.__version__ + " (models/pytorch/unet_digits.py)",
        "memgrid.provenance.seed": str(args.seed), "memgrid.provenance.steps": str(args.steps)}
for k, v in meta.items():
    m.metadata_props.add(key=k, value=v)
onnx.save(m, out)
print(f"wrote {out} and {csv_path}")

if args.samples > 0:
    # PyTorch's own sampler, to compare memgrid's baseline with: probability-flow Euler exactly as memgrid's
    # DigitalSampler steps it (K evaluation times equally spaced from t = 1 to 1e-4 inclusive, dt = (1 - 1e-4) / K,
    # x <- x + 0.5 beta x dt + 0.5 beta s dt), from the prior N(0, I); its own random draws.
    K = args.sample_steps
    for seed in [int(s) for s in args.sample_seeds.split(",")]:
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(args.samples, 64, generator=g)
        dt = (1 - T_MIN) / K
        with torch.no_grad():
            for k in range(K):
                t = 1 - k * (1 - T_MIN) / (K - 1)
                beta = BETA0 + t * (BETA1 - BETA0)
                s = ema(x, torch.full((len(x),), t))
                x = x + 0.5 * beta * dt * x + 0.5 * beta * dt * s
        path = os.path.splitext(out)[0] + f".torch-samples-seed{seed}.csv"
        with open(path, "w") as f:
            f.write(",".join(f"x{i + 1}" for i in range(64)) + "\n")
            for row in x.tolist():
                f.write(",".join(f"{v:.6f}" for v in row) + "\n")
        print(f"wrote {path}", flush=True)
