"""Training callbacks, with gensim 4's hook names.

Hooks run on the thread that called ``train`` (never inside the nogil
workers), so a callback may touch the model freely: ``model.alpha``,
``model.min_alpha`` or ``model.wv.vectors_lockf`` set in ``on_epoch_begin``
govern that epoch, as in gensim. Any object with some of the hook methods
works (gensim's own ``CallbackAny2Vec`` subclasses included, which define no
batch hooks); a hook it lacks is skipped. Raising
:class:`StopTraining` from any hook ends training cleanly at the next batch
boundary, leaving usable vectors.
"""


class StopTraining(Exception):
    """Raise from a callback hook to end training early (not an error)."""


def call_hooks(callbacks, hook: str, model) -> None:
    """Run ``hook`` of every callback that defines it (gensim's own callbacks need not
    define every hook, nor any batch hook); a StopTraining raised by one asks the run
    to stop (``model._stop_requested``)."""
    for cb in callbacks:
        fn = getattr(cb, hook, None)
        if fn is None:
            continue
        try:
            fn(model)
        except StopTraining:
            model._stop_requested = True


class CallbackAny2Vec:
    """Base class for training callbacks; override the hooks you need.

    ``on_batch_end`` is called on the calling thread about every batch of
    ``batch_words`` tokens (iterable corpus) or every ``report_delay / 10``
    seconds (``corpus_file``). During and after an epoch, ``model.epoch_stats``
    holds ``epoch``, ``loss`` (when ``compute_loss``), ``words``,
    ``words_per_sec``, ``alpha`` and ``seconds``.

    Examples
    --------
    >>> class EarlyStop(CallbackAny2Vec):
    ...     def on_epoch_end(self, model):
    ...         if model.epoch_stats["epoch"] >= 1:
    ...             raise StopTraining
    """

    def on_train_begin(self, model):
        pass

    def on_train_end(self, model):
        pass

    def on_epoch_begin(self, model):
        pass

    def on_epoch_end(self, model):
        pass

    def on_batch_begin(self, model):
        pass

    def on_batch_end(self, model):
        pass
