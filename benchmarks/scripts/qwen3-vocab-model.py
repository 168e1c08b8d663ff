#!/usr/bin/env python3
# Usage: qwen3-vocab-model.py SYNTHETIC_DIR QWEN3_TOKENIZER_DIR OUT_DIR, e.g.
#   python3 benchmarks/scripts/qwen3-vocab-model.py ~/.cache/robin/synthetic/llama-25m-v1 ../shared/tokenizers/qwen3 /tmp/llama-25m-qwen3vocab
# (run `bin/robin make-model --preset llama-25m --out DIR` first for a SYNTHETIC_DIR). Needs numpy. Used by
# docs/benchmarks.md, "Structured outputs under load": masks over a real 151,936-id vocabulary cost what they would
# for Qwen-family models, which the 512-id synthetic vocabulary does not show.
# llama-25m's synthetic weights with Qwen3's 151,936-token vocabulary (tied embedding/LM head, normal(0, 0.02)).
import json, struct, shutil, sys, os
import numpy as np
src, qwen, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
VOCAB = 151936
with open(f"{src}/model.safetensors", "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
tensors = {}
for name, meta in header.items():
    if name == "__metadata__":
        continue
    a, b = meta["data_offsets"]
    tensors[name] = (meta["dtype"], meta["shape"], data[a:b])
hidden = tensors["model.embed_tokens.weight"][1][1]
emb = (np.random.default_rng(13).standard_normal((VOCAB, hidden), dtype=np.float32) * 0.02).astype("<f4")
tensors["model.embed_tokens.weight"] = ("F32", [VOCAB, hidden], emb.tobytes())
hdr, off, blobs = {"__metadata__": {"format": "pt"}}, 0, []
for name in sorted(tensors):
    dt, shape, raw = tensors[name]
    hdr[name] = {"dtype": dt, "shape": shape, "data_offsets": [off, off + len(raw)]}
    off += len(raw); blobs.append(raw)
h = json.dumps(hdr).encode(); h += b" " * ((8 - len(h) % 8) % 8)
with open(f"{out}/model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h))); f.write(h)
    for b in blobs: f.write(b)
cfg = json.load(open(f"{src}/config.json"))
cfg.update(vocab_size=VOCAB, bos_token_id=151643, eos_token_id=[151645, 151643])
json.dump(cfg, open(f"{out}/config.json", "w"), indent=1)
json.dump({"bos_token_id": 151643, "eos_token_id": [151645, 151643]}, open(f"{out}/generation_config.json", "w"))
for name in ("tokenizer.json", "tokenizer_config.json"):
    shutil.copy(f"{qwen}/{name}", f"{out}/{name}")
