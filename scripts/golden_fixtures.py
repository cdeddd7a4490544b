#!/usr/bin/python3
"""
Golden fixtures for gpt-nano: an independent PyTorch forward pass, written in the style of minGPT's
model.py, whose every intermediate tensor the TypeScript reference and the WASM engine are tested
against (tests/unit/golden.test.ts).

Run from the repository root, with Debian's PyTorch (apt-get install python3-torch python3-numpy):

    /usr/bin/python3 scripts/golden_fixtures.py
    /usr/bin/python3 scripts/golden_fixtures.py --weights public/models/sort-nano.safetensors \
        --out tests/fixtures/golden.json

Rerun it whenever public/models/sort-nano.safetensors changes: the fixture records the sha256 of
the weights it was made from and the test refuses a stale fixture.

What it does:
  * reads the safetensors file itself (8-byte little-endian header length, JSON header, raw
    little-endian float32 data) and takes the config from __metadata__["config"];
  * loads the tensors into a minGPT-shaped torch module and converts it to float64, so the fixture
    is the most exact reference available (the engines under test work in float32 / float64);
  * records, for a set of inputs covering every length 1..block_size, every tensor that
    src/gpt/trace.ts names (masked attention scores are written as null);
  * records greedy generation (argmax of the last position, one token at a time) for every input
    of the sort task, with the smallest top-1 / top-2 logit gap met along the way, so a test can
    tell a real disagreement from a near tie;
  * writes compact JSON, every value rounded to 9 significant digits.
"""

import argparse
import hashlib
import itertools
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_WEIGHTS = os.path.join(REPO, 'public', 'models', 'sort-nano.safetensors')
DEFAULT_OUT = os.path.join(REPO, 'tests', 'fixtures', 'golden.json')

# Inputs whose full trace goes into the fixture: every length from 1 to 11 at least once, a
# sort-task prefix growing to the full 11 positions (CBABBC + ABBBC), and repeated letters.
# Each traced token position costs about 39 kB of JSON; these 72 positions keep the fixture
# under 3 MB.
TRACE_INPUTS = [
    'A',
    'CB',
    'CBA',
    'CBAB',
    'CBABB',
    'CBABBC',
    'CCCCCC',
    'CBABBCA',
    'AAAAAAAA',
    'BCACBACAB',
    'CCBBAACCBA',
    'CBABBCABBBC',
]

SORT_LENGTH = 6
LN_EPS = 1e-5


# ----------------------------------------------------------------------------------------------
# safetensors, read by hand
# ----------------------------------------------------------------------------------------------

def read_safetensors(path):
    """Returns (metadata dict, {name: float64 numpy array}) from a safetensors file of F32 tensors."""
    with open(path, 'rb') as f:
        raw = f.read()
    if len(raw) < 8:
        sys.exit(f'{path}: too short for a safetensors file')
    (header_len,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + header_len].decode('utf-8'))
    data = raw[8 + header_len:]
    metadata = header.pop('__metadata__', {})
    tensors = {}
    for name, info in header.items():
        if info['dtype'] != 'F32':
            sys.exit(f'{path}: tensor {name} is {info["dtype"]}, expected F32')
        begin, end = info['data_offsets']
        count = int(np.prod(info['shape'], dtype=np.int64))
        if end - begin != 4 * count:
            sys.exit(f'{path}: tensor {name} spans {end - begin} bytes, expected {4 * count}')
        arr = np.frombuffer(data, dtype='<f4', count=count, offset=begin).reshape(info['shape'])
        tensors[name] = arr.astype(np.float64)
    return metadata, tensors, hashlib.sha256(raw).hexdigest()


# ----------------------------------------------------------------------------------------------
# The model, minGPT style. `rec` is None (plain forward) or a dict that collects the trace of a
# single sequence (batch index 0) under the names of src/gpt/trace.ts.
# ----------------------------------------------------------------------------------------------

def keep(rec, name, t):
    if rec is not None:
        rec[name] = t[0].detach().clone()


def layer_norm_traced(ln, x, rec, name):
    """F.layer_norm as nn.LayerNorm does it, plus the row statistics it normalised with."""
    if rec is not None:
        mean = x.mean(dim=-1)
        var = ((x - mean.unsqueeze(-1)) ** 2).mean(dim=-1)  # biased, as layer norm uses
        keep(rec, name + '.mean', mean)
        keep(rec, name + '.rstd', torch.rsqrt(var + ln.eps))
    y = F.layer_norm(x, ln.normalized_shape, ln.weight, ln.bias, ln.eps)
    keep(rec, name, y)
    return y


class NewGELU(nn.Module):
    """The tanh approximation of GELU used by GPT-2 (and minGPT)."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        assert cfg['n_embd'] % cfg['n_head'] == 0
        self.c_attn = nn.Linear(cfg['n_embd'], 3 * cfg['n_embd'])
        self.c_proj = nn.Linear(cfg['n_embd'], cfg['n_embd'])
        bs = cfg['block_size']
        # minGPT stores this mask as a buffer named "bias"; it is not part of the weights file.
        self.register_buffer('bias', torch.tril(torch.ones(bs, bs)).view(1, 1, bs, bs), persistent=False)
        self.n_head = cfg['n_head']
        self.n_embd = cfg['n_embd']

    def forward(self, x, rec=None, name=''):
        B, T, C = x.size()
        nh = self.n_head
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, nh, C // nh).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, nh, C // nh).transpose(1, 2)
        v = v.view(B, T, nh, C // nh).transpose(1, 2)
        keep(rec, name + 'q', q)
        keep(rec, name + 'k', k)
        keep(rec, name + 'v', v)

        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
        keep(rec, name + 'scores', att)
        if rec is not None:
            row_max = att.max(dim=-1, keepdim=True).values  # the diagonal is never masked
            keep(rec, name + 'probs.max', row_max.squeeze(-1))
            keep(rec, name + 'probs.sum', torch.exp(att - row_max).sum(dim=-1))
        att = F.softmax(att, dim=-1)
        keep(rec, name + 'probs', att)

        y = att @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # heads side by side
        keep(rec, name + 'heads', y)
        y = self.c_proj(y)
        keep(rec, name + 'proj', y)
        return y


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C = cfg['n_embd']
        self.ln_1 = nn.LayerNorm(C, eps=LN_EPS)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(C, eps=LN_EPS)
        self.mlp = nn.ModuleDict(dict(
            c_fc=nn.Linear(C, 4 * C),
            c_proj=nn.Linear(4 * C, C),
            act=NewGELU(),
        ))

    def forward(self, x, rec=None, name=''):
        x = x + self.attn(layer_norm_traced(self.ln_1, x, rec, name + 'ln_1'), rec, name + 'attn.')
        keep(rec, name + 'resid_1', x)
        h = self.mlp.c_fc(layer_norm_traced(self.ln_2, x, rec, name + 'ln_2'))
        keep(rec, name + 'mlp.fc', h)
        h = self.mlp.act(h)
        keep(rec, name + 'mlp.gelu', h)
        h = self.mlp.c_proj(h)
        keep(rec, name + 'mlp.proj', h)
        x = x + h
        keep(rec, name + 'resid_2', x)
        return x


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        C = cfg['n_embd']
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg['vocab_size'], C),
            wpe=nn.Embedding(cfg['block_size'], C),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg['n_layer'])]),
            ln_f=nn.LayerNorm(C, eps=LN_EPS),
        ))
        self.lm_head = nn.Linear(C, cfg['vocab_size'], bias=False)

    def forward(self, idx, rec=None):
        B, T = idx.size()
        assert T <= self.cfg['block_size'], f'sequence of {T} tokens, block size is {self.cfg["block_size"]}'
        pos = torch.arange(0, T, dtype=torch.long).unsqueeze(0)
        tok_emb = self.transformer.wte(idx)
        pos_emb = self.transformer.wpe(pos).expand(B, T, -1)
        keep(rec, 'tok_emb', tok_emb)
        keep(rec, 'pos_emb', pos_emb)
        x = tok_emb + pos_emb
        keep(rec, 'embed', x)
        for l, block in enumerate(self.transformer.h):
            x = block(x, rec, f'h.{l}.')
        x = layer_norm_traced(self.transformer.ln_f, x, rec, 'ln_f')
        logits = self.lm_head(x)
        keep(rec, 'logits', logits)
        if rec is not None:
            m = logits.max(dim=-1, keepdim=True).values
            keep(rec, 'probs.max', m.squeeze(-1))
            keep(rec, 'probs.sum', torch.exp(logits - m).sum(dim=-1))
            keep(rec, 'probs', F.softmax(logits, dim=-1))
        return logits


def trace_names(cfg):
    """The names of src/gpt/trace.ts's traceSpecs, in the same order."""
    names = ['tok_emb', 'pos_emb', 'embed']
    ln = lambda n: [n + '.mean', n + '.rstd', n]
    for l in range(cfg['n_layer']):
        p = f'h.{l}.'
        names += ln(p + 'ln_1')
        names += [p + 'attn.' + s for s in ('q', 'k', 'v', 'scores', 'probs.max', 'probs.sum', 'probs', 'heads', 'proj')]
        names += [p + 'resid_1'] + ln(p + 'ln_2')
        names += [p + s for s in ('mlp.fc', 'mlp.gelu', 'mlp.proj', 'resid_2')]
    return names + ln('ln_f') + ['logits', 'probs.max', 'probs.sum', 'probs']


# ----------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------

def rounded(value):
    """Nested lists with every float at 9 significant digits and -inf (masked scores) as None."""
    if isinstance(value, list):
        return [rounded(v) for v in value]
    if value == float('-inf'):
        return None
    if not math.isfinite(value):
        raise ValueError(f'non-finite value {value} in a trace')
    return float(f'{value:.9g}')


def greedy(model, inputs, steps):
    """Greedy decoding of a batch of equal-length inputs; also the smallest top-1 minus top-2 logit gap."""
    idx = torch.tensor(inputs, dtype=torch.long)
    gap = torch.full((len(inputs),), float('inf'), dtype=torch.float64)
    for _ in range(steps):
        logits = model(idx[:, -model.cfg['block_size']:])[:, -1, :]
        top2 = logits.topk(2, dim=-1).values
        gap = torch.minimum(gap, top2[:, 0] - top2[:, 1])
        idx = torch.cat([idx, logits.argmax(dim=-1, keepdim=True)], dim=1)
    return idx[:, len(inputs[0]):].tolist(), gap.tolist()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--weights', default=DEFAULT_WEIGHTS, help='safetensors file (default: %(default)s)')
    ap.add_argument('--out', default=DEFAULT_OUT, help='fixture to write (default: %(default)s)')
    args = ap.parse_args()

    metadata, arrays, sha256 = read_safetensors(args.weights)
    if 'config' not in metadata:
        sys.exit(f'{args.weights}: __metadata__ has no "config"')
    cfg = json.loads(metadata['config'])
    vocab = metadata.get('vocab', 'ABC')
    assert len(vocab) == cfg['vocab_size'], f'vocab "{vocab}" does not have {cfg["vocab_size"]} letters'

    model = GPT(cfg)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items()}, strict=True)
    model = model.double().eval()

    names = trace_names(cfg)
    cases = []
    with torch.no_grad():
        for text in TRACE_INPUTS:
            if len(text) > cfg['block_size']:
                continue
            ids = [vocab.index(ch) for ch in text]
            rec = {}
            model(torch.tensor([ids], dtype=torch.long), rec)
            assert list(rec) == names, f'trace names differ from traceSpecs order: {list(rec)}'
            cases.append({
                'tokens': text,
                'ids': ids,
                'tensors': {n: rounded(rec[n].tolist()) for n in names},
            })

        inputs = [list(p) for p in itertools.product(range(cfg['vocab_size']), repeat=SORT_LENGTH)]
        outputs, gaps = greedy(model, inputs, SORT_LENGTH)
    generate = [
        {
            'input': ''.join(vocab[i] for i in inp),
            'output': ''.join(vocab[i] for i in out),
            'min_logit_gap': float(f'{g:.3g}'),
        }
        for inp, out, g in zip(inputs, outputs, gaps)
    ]

    fixture = {
        'generator': f'scripts/golden_fixtures.py (PyTorch {torch.__version__}, float64)',
        'weights_sha256': sha256,
        'config': cfg,
        'vocab': vocab,
        'cases': cases,
        'generate': generate,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(fixture, f, separators=(',', ':'), allow_nan=False)
        f.write('\n')

    sorted_ok = sum(g['output'] == ''.join(sorted(g['input'])) for g in generate)
    print(f'{args.out}: {os.path.getsize(args.out):,} bytes, {len(cases)} traced inputs, '
          f'{len(generate)} greedy generations ({sorted_ok} sorted correctly), weights sha256 {sha256[:12]}...')


if __name__ == '__main__':
    main()
