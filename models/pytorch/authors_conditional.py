#!/usr/bin/python3
"""The authors' conditional score network, trained and exported with PyTorch as a user would.

Architecture and recipe as PAPER.md gives them (Yang et al.): MLP 2 -> 14 -> 14 -> 2 with ReLU, a
14-channel time embedding (7 fixed random frequencies w, sin(2*pi*w*t) and cos(2*pi*w*t)) and a class
embedding one-hot -> Linear(14) -> GELU -> Linear(14), both added to the pre-activation of both hidden
layers; output gain 5. VP-SDE beta 0.001 -> 0.5, denoising score matching with t ~ U(1e-5, 1);
multiplicative weight noise N(0, 0.1^2) redrawn uniformly in [-0.2, 0.2] beyond +-0.2; saturation
penalty 3e-6 on hidden activations above 1.5; Adam lr 2e-4, weight decay 1e-4, gradient-norm clip 0.1,
EMA 0.95, batch 512, label dropout 10 % (a dropped label is a one-hot of no class: all zeros).

Data: the authors' conditional data are 2-D VAE latents, three classes pulled to means 120 degrees apart
on a circle of radius 4 and divided by 8 (PAPER.md). Their VAE cannot be run here, so each class is drawn
as a Gaussian around that mean with standard deviation 1 before the division (our assumption for the
spread). The points are written next to the model as a CSV (x1,x2,label) for memgrid's metrics.

The exported graph keeps PyTorch's own ops: OneHot -> Cast -> Gemm -> Div/Erf/Add/Mul/Mul (GELU) ->
Gemm for the class embedding. Everything is seeded: re-running gives the same file on the same machine.

    /usr/bin/python3 models/pytorch/authors_conditional.py --out models/authors-conditional.onnx
"""
import argparse, hashlib, math, os
import torch, torch.nn as nn, torch.nn.functional as F, onnx

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--out", default="authors-conditional.onnx")
p.add_argument("--epochs", type=int, default=3000, help="passes over the data (the authors': 3000)")
p.add_argument("--points", type=int, default=3000, help="training points, equal shares per class")
p.add_argument("--seed", type=int, default=1)
args = p.parse_args()

torch.manual_seed(args.seed)
torch.set_num_threads(1)
CLASSES, H, BETA0, BETA1, GAIN = 3, 14, 0.001, 0.5, 5.0

# --- data: three class blobs (means at 90, 210, 330 degrees on radius 4, then / 8) ---
labels = torch.arange(args.points) % CLASSES
angles = math.pi / 2 + labels.double() * 2 * math.pi / CLASSES
means = 4 * torch.stack([torch.cos(angles), torch.sin(angles)], 1)
data = ((means + torch.randn(args.points, 2, dtype=torch.float64)) / 8).float()

class NoisyLinear(nn.Linear):
    """nn.Linear with the paper's multiplicative weight noise while training."""
    def forward(self, x):
        if not self.training:
            return super().forward(x)
        def noisy(p):
            eps = 0.1 * torch.randn_like(p)
            eps = torch.where(eps.abs() >= 0.2, torch.empty_like(p).uniform_(-0.2, 0.2), eps)
            return p * (1 + eps)
        return F.linear(x, noisy(self.weight), noisy(self.bias))

class ConditionalScore(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("omega", 2 * math.pi * torch.randn(H // 2))       # fixed frequencies
        self.fc1, self.fc2, self.fc3 = NoisyLinear(2, H), NoisyLinear(H, H), NoisyLinear(H, 2)
        self.label = nn.Sequential(NoisyLinear(CLASSES, H), nn.GELU(), NoisyLinear(H, H))
        self.hidden = []

    def forward(self, x, t, y):
        phase = t[:, None] * self.omega[None, :]
        onehot = F.one_hot(y, CLASSES).float()        # an index >= CLASSES is refused by PyTorch;
        if self.training:                                # label dropout zeroes the one-hot instead
            onehot = onehot * (torch.rand(len(y), 1) >= 0.1).float()
        emb = torch.cat([torch.sin(phase), torch.cos(phase)], 1) + self.label(onehot)
        h1 = torch.relu(self.fc1(x) + emb)
        h2 = torch.relu(self.fc2(h1) + emb)
        self.hidden = [h1, h2]
        return GAIN * self.fc3(h2)

def alpha_sigma(t):
    integral = BETA0 * t + 0.5 * t * t * (BETA1 - BETA0)
    return torch.exp(-0.5 * integral), torch.sqrt(1 - torch.exp(-integral))

model = ConditionalScore()
ema = {k: v.detach().clone() for k, v in model.state_dict().items()}
opt = torch.optim.AdamW(model.parameters(), lr=2e-4, weight_decay=1e-4)
model.train()
for epoch in range(args.epochs):
    order = torch.randperm(args.points)
    for start in range(0, args.points, 512):
        idx = order[start:start + 512]
        x0, y = data[idx], labels[idx]
        t = torch.rand(len(idx)) * (1 - 1e-5) + 1e-5
        a, s = alpha_sigma(t)
        z = torch.randn_like(x0)
        score = model(a[:, None] * x0 + s[:, None] * z, t, y)
        loss = ((score * s[:, None] + z) ** 2).sum(1).mean()
        loss = loss + 3e-6 * sum(F.relu(h - 1.5).sum() for h in model.hidden)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        opt.step()
        with torch.no_grad():
            for k, v in model.state_dict().items():
                ema[k].mul_(0.95).add_(v, alpha=0.05) if v.dtype.is_floating_point else ema[k].copy_(v)
    if (epoch + 1) % max(1, args.epochs // 10) == 0:
        print(f"epoch {epoch + 1}/{args.epochs}  loss {loss.item():.4f}", flush=True)

model.load_state_dict(ema)
model.eval()
out = os.path.abspath(args.out)
csv_path = os.path.splitext(out)[0] + ".data.csv"
with open(csv_path, "w") as f:
    f.write("x1,x2,label\n")
    for (u, v), c in zip(data.tolist(), labels.tolist()):
        f.write(f"{u:.6f},{v:.6f},{c}\n")
torch.onnx.export(model, (torch.zeros(1, 2), torch.zeros(1), torch.zeros(1, dtype=torch.long)), out,
                  opset_version=17, input_names=["x", "t", "label"], output_names=["score"],
                  dynamic_axes={"x": {0: "n"}, "t": {0: "n"}, "label": {0: "n"}, "score": {0: "n"}})

# MemristorGrid reads the diffusion schedule and the training data from metadata_props (optional: the
# same can be given on the command line with --sde/--beta-min/--beta-max and --reference-data).
m = onnx.load(out)
meta = {"memgrid.sde": "vp", "memgrid.beta_min": str(BETA0), "memgrid.beta_max": str(BETA1),
        "memgrid.sampling_schedule_scale": "1.5",
        "memgrid.task": "csv:" + os.path.basename(csv_path),
        "memgrid.task_sha256": hashlib.sha256(open(csv_path, "rb").read()).hexdigest(),
        "memgrid.provenance.trainer": "PyTorch " + torch.__version__ + " (models/pytorch/authors_conditional.py)",
        "memgrid.provenance.seed": str(args.seed), "memgrid.provenance.epochs": str(args.epochs)}
for k, v in meta.items():
    m.metadata_props.add(key=k, value=v)
onnx.save(m, out)
print(f"wrote {out} and {csv_path}")
