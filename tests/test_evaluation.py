"""Analogy and word-pair evaluation (fastw2v.evaluation) against gensim on the same vectors."""
import numpy as np
import pytest

from fastw2v.keyedvectors import KeyedVectors

WORDS = ["king", "queen", "man", "woman", "paris", "france", "berlin", "germany", "rome", "italy",
         "King", "big", "bigger", "small", "smaller", "good", "better"]


@pytest.fixture
def vectors():
    rng = np.random.default_rng(3)
    keys = WORDS + [f"filler{i}" for i in range(60)]
    V = rng.standard_normal((len(keys), 12)).astype(np.float32)
    # make a few analogies hold so that both outcomes occur
    V[1] = V[0] - V[2] + V[3] + 0.05 * rng.standard_normal(12)
    V[9] = V[8] - V[4] + V[5] + 0.05 * rng.standard_normal(12)
    return keys, V


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text(
        ": capital-common-countries\n"
        "paris france berlin germany\nparis france rome italy\nberlin germany paris france\n"
        "paris france tokyo japan\nnot a valid line at all\n"
        ": family\n"
        "man woman king queen\nMAN WOMAN KING QUEEN\nwoman man queen king\n"
        ": gram2-comparative\n"
        "big bigger small smaller\ngood better big bigger\nsmall smaller good better\n")
    return path


@pytest.fixture
def pairs(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("# comment\nking\tqueen\t8.5\nman\twoman\t8.3\nparis\tfrance\t7\nbig\tsmall\t2.1\n"
                    "good\tbetter\t7.7\nrome\tgermany\t1.5\nking\tunknownword\t3\nqueen\tfiller3\t0.5\n")
    return path


def both(vectors):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    keys, V = vectors
    ours = KeyedVectors(V.shape[1])
    ours.add_vectors(keys, V)
    theirs = gensim_kv.KeyedVectors(V.shape[1])
    theirs.add_vectors(keys, V)
    return ours, theirs


@pytest.mark.parametrize("kwargs", [{}, {"restrict_vocab": 12}, {"case_insensitive": False},
                                    {"dummy4unknown": True}])
def test_analogies_match_gensim(vectors, questions, kwargs):
    ours, theirs = both(vectors)
    score, sections = ours.evaluate_word_analogies(questions, **kwargs)
    ref_score, ref_sections = theirs.evaluate_word_analogies(str(questions), **kwargs)
    assert score == pytest.approx(ref_score, abs=1e-6)
    assert sections == ref_sections
    assert sections[-1]["section"] == "Total accuracy"


@pytest.mark.parametrize("kwargs", [{}, {"dummy4unknown": True}, {"restrict_vocab": 10}])
def test_word_pairs_match_gensim(vectors, pairs, kwargs):
    pytest.importorskip("scipy")
    ours, theirs = both(vectors)
    (p, pp), (s, sp), oov = ours.evaluate_word_pairs(pairs, **kwargs)
    (rp, rpp), (rs, rsp), roov = theirs.evaluate_word_pairs(str(pairs), **kwargs)
    np.testing.assert_allclose([p, pp, s, sp, oov], [rp, rpp, rs, rsp, roov], atol=1e-6)


def test_bad_files(vectors, tmp_path):
    keys, V = vectors
    kv = KeyedVectors(V.shape[1])
    kv.add_vectors(keys, V)
    path = tmp_path / "q.txt"
    path.write_text("a b c d\n")
    with pytest.raises(ValueError, match="section header"):
        kv.evaluate_word_analogies(path)
    path.write_text("zz\tyy\t1\n")
    pytest.importorskip("scipy")
    with pytest.raises(ValueError, match="No valid similarity"):
        kv.evaluate_word_pairs(path)
