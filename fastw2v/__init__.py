"""fastw2v: word2vec with C kernels and gensim 4's API.

>>> from fastw2v import Word2Vec
>>> model = Word2Vec([["hello", "world"]] * 50, vector_size=10, min_count=1, epochs=1)
>>> model.wv["hello"].shape
(10,)
"""
try:
    from fastw2v import _allreduce, _formats, _int_keys, _kernels, _phrases, _sampling, _sequences, _vocab, _walks  # noqa: F401
except ImportError as exc:  # never fall back to a slow pure-Python path (gensim's trap)
    raise ImportError(
        "fastw2v's compiled extension could not be loaded "
        f"({exc}). Reinstall from source with a C compiler available: "
        "`pip install --force-reinstall --no-binary fastw2v fastw2v` "
        "(or `pip install .` in a checkout). From a source checkout, do not run "
        "Python inside the repository without installing it first."
    ) from exc

from fastw2v.callbacks import CallbackAny2Vec, StopTraining
from fastw2v.corpus import BrownCorpus, LineSentence, PathLineSentences, Text8Corpus
from fastw2v.encoding import one_hot, positional_encoding
from fastw2v.evaluation import evaluate_word_analogies, evaluate_word_pairs
from fastw2v.formats import load_word2vec_format, save_word2vec_format
from fastw2v.gensim_compat import load_gensim_object
from fastw2v.keyedvectors import KeyedVectors
from fastw2v.phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phraser, Phrases
from fastw2v.sequences import Sequences, item2vec
from fastw2v.word2vec import Word2Vec
from fastw2v import graph  # noqa: E402  (DeepWalk / node2vec; SciPy needed only when called)

__version__ = "0.1.0"
__all__ = ["Word2Vec", "KeyedVectors", "CallbackAny2Vec", "StopTraining", "LineSentence", "BrownCorpus",
           "PathLineSentences", "Text8Corpus", "Phrases", "FrozenPhrases", "Phraser",
           "ENGLISH_CONNECTOR_WORDS", "Sequences", "item2vec", "graph", "load_word2vec_format",
           "save_word2vec_format", "load_gensim_object", "one_hot", "positional_encoding",
           "evaluate_word_analogies", "evaluate_word_pairs", "__version__"]
