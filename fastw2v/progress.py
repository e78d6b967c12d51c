"""Progress of long work: a tqdm bar when tqdm is installed, log lines otherwise.

tqdm is an optional dependency (``pip install fastw2v[progress]``). Without
it the same figures go to the ``fastw2v.progress`` logger every few seconds,
so a job run under ``nohup`` or in CI still shows that it is alive.

Training progress comes from a callback, so it runs on the thread that called
``train`` (callbacks never run inside the nogil workers) and costs nothing
per word: the workers publish their word counts to ``model._params.progress``
and the callback reads that counter about ten times a second.

Examples
--------
>>> from fastw2v import Word2Vec
>>> from fastw2v.progress import TrainingProgress
>>> model = Word2Vec([["a", "b"]] * 100, min_count=1, workers=1,
...                  callbacks=[TrainingProgress(enabled=False)])
"""
from __future__ import annotations

import logging
import sys
import time

from fastw2v.callbacks import CallbackAny2Vec

logger = logging.getLogger(__name__)


def _tqdm_class():
    try:
        from tqdm.auto import tqdm  # a widget in notebooks, text in terminals
    except ImportError:
        return None
    return tqdm


def _si(value: float) -> str:
    """1234567 -> '1.23M' (tqdm's unit_scale, for the log lines)."""
    for factor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g}{suffix}"
    return f"{value:.0f}"


class Meter:
    """A progress bar over ``total`` units (``None``: unknown total).

    Parameters
    ----------
    desc : str
        What is being measured, shown first ("vocabulary", "training").
    total : float or None
        Units of the whole job; with ``None`` only the count and rate are shown.
    unit : str
        Unit name for the rate ("words", "B").
    enabled : bool
        ``False`` reports nothing (``--quiet``).
    log_every : float
        Seconds between log lines when tqdm is not installed; the first comes
        after that long too.
    delay : float
        Seconds before the tqdm bar appears: work shorter than that shows no
        bar, so a quick job (or one that fails at once) prints only its result.
    file : file object, optional
        Where the tqdm bar is drawn (default ``sys.stderr``).
    """

    def __init__(self, desc: str, total: float | None, unit: str, enabled: bool = True,
                 log_every: float = 5.0, delay: float = 1.0, file=None):
        self.desc, self.total, self.unit = desc, total, unit
        self.enabled = enabled
        self.log_every = log_every
        self.done = 0.0
        self.postfix: dict = {}
        self.start = self.last_log = time.perf_counter()
        tqdm = _tqdm_class() if enabled else None
        self.bar = None
        if tqdm is not None:
            self.bar = tqdm(total=total, desc=desc, unit=unit, unit_scale=True, dynamic_ncols=True,
                            file=file or sys.stderr, leave=True, delay=delay)

    def update(self, done: float, **postfix) -> None:
        """Set the units done so far (absolute, not an increment) and the extra figures."""
        if not self.enabled:
            return
        done = min(done, self.total) if self.total else done
        if self.bar is not None:
            if postfix:
                self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(done - self.done)  # tqdm rate-limits its own redraws
        self.done, self.postfix = done, postfix
        now = time.perf_counter()
        if self.bar is None and now - self.last_log >= self.log_every:
            self.last_log = now
            logger.info("%s", self.describe(now, postfix))

    def describe(self, now: float, postfix: dict) -> str:
        """The log-line form: percent, units, rate, extra figures, ETA."""
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        parts = [f"{self.desc}:"]
        if self.total:
            parts.append(f"{100.0 * self.done / self.total:.1f}% of {_si(self.total)} {self.unit},")
        else:
            parts.append(f"{_si(self.done)} {self.unit},")
        parts.append(f"{_si(rate)} {self.unit}/s")
        parts += [f"{k} {v}" for k, v in postfix.items()]
        if self.total and rate > 0:
            parts.append(f"ETA {(self.total - self.done) / rate:.0f}s")
        return ", ".join([" ".join(parts[:3])] + parts[3:])

    def close(self) -> None:
        """Finish the bar (idempotent); the log fallback writes one last line."""
        if not self.enabled:
            return
        self.enabled = False
        if self.bar is not None:
            self.bar.close()
        elif time.perf_counter() - self.start >= self.log_every:
            logger.info("%s", self.describe(time.perf_counter(), self.postfix))


class TrainingProgress(CallbackAny2Vec):
    """Training progress: percent of all words of all epochs, words/s, alpha, ETA
    and, with ``show_loss``, the loss of the latest finished epoch.

    Pass it in ``callbacks=``. The learning rate shown is the model's linear
    schedule from ``model.alpha`` to ``model.min_alpha``, which is what the
    kernels apply unless ``train`` is given ``start_alpha``/``end_alpha``.

    Parameters
    ----------
    enabled : bool
        ``False`` reports nothing.
    show_loss : bool
        Show the loss (train with ``compute_loss=True``).
    log_every : float
        Seconds between log lines when tqdm is not installed.
    """

    def __init__(self, enabled: bool = True, show_loss: bool = False, log_every: float = 5.0):
        self.enabled, self.show_loss, self.log_every = enabled, show_loss, log_every
        self.meter = None

    def on_train_begin(self, model):
        self.meter = Meter("training", model._schedule_words, "words", self.enabled, self.log_every)

    def on_batch_end(self, model):
        params = getattr(model, "_params", None)
        if self.meter is None or params is None:
            return
        done = params.progress
        fraction = min(done / max(model._schedule_words, 1), 1.0)
        postfix = {"alpha": f"{model.alpha - (model.alpha - model.min_alpha) * fraction:.4g}"}
        if self.show_loss and model.epoch_losses:
            postfix["loss"] = f"{model.epoch_losses[-1]:.4g}"
        self.meter.update(done, **postfix)

    on_epoch_end = on_batch_end

    def on_train_end(self, model):
        self.close()

    def close(self):
        """End the bar; safe to call again (e.g. after Ctrl-C skipped ``on_train_end``)."""
        if self.meter is not None:
            self.meter.close()
