"""Checkpoints during training, and the state ``train(..., resume=True)`` continues from.

The learning rate falls linearly over the whole schedule
(``alpha = start - (start - end) * progress / schedule_words``, word2vec.c's
rule), so a run is fully described by the epoch it reached and its progress
along that schedule. A checkpoint is the model in the native format (atomic,
no pickle) with that state in its metadata::

    {"epoch": 2, "epochs": 5, "progress": 1234567.0, "schedule_words": 2500000.0,
     "start_alpha": 0.025, "end_alpha": 0.0001}

Resuming restarts the interrupted epoch from its first sentence (epochs
before it are skipped) with the learning rate continuing from the recorded
progress and falling linearly to ``end_alpha`` over the remaining epochs.
A checkpoint taken mid-epoch is a Hogwild snapshot: the workers keep
updating while the arrays are copied to disk, as they do when queried.
"""
from __future__ import annotations

import logging
import re
import time

import numpy as np

from fastw2v.callbacks import CallbackAny2Vec
from fastw2v.validation import INT32_MAX

logger = logging.getLogger(__name__)

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(s|sec|m|min|h|w|words)\s*$", re.IGNORECASE)
_SECONDS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def parse_interval(value) -> tuple[str, float]:
    """``checkpoint_every`` as ``("seconds", x)`` or ``("words", n)``.

    Accepted: a string with a unit, ``"30s"``, ``"5m"``, ``"1h"`` (wall-clock)
    or ``"1000000w"`` (in-vocabulary words trained); a float is seconds and
    an int is words.
    """
    if isinstance(value, bool):
        raise TypeError(f"checkpoint_every must be e.g. '30s' or '1000000w', got {value!r}")
    if isinstance(value, str):
        match = _INTERVAL.match(value)
        if not match:
            raise ValueError(f"checkpoint_every={value!r}: expected a number with a unit, "
                             "e.g. '30s', '5m', '1h' or '1000000w'")
        amount, unit = float(match.group(1)), match.group(2).lower()
        kind, amount = ("words", amount) if unit in ("w", "words") else ("seconds", amount * _SECONDS[unit])
    elif isinstance(value, int):
        kind, amount = "words", float(value)
    elif isinstance(value, float):
        kind, amount = "seconds", value
    else:
        raise TypeError(f"checkpoint_every must be e.g. '30s' or '1000000w', got {value!r}")
    if not amount > 0:
        raise ValueError(f"checkpoint_every must be positive, got {value!r}")
    return kind, amount


def check_rates(start_alpha, end_alpha) -> None:
    """A learning-rate schedule the kernels can follow: finite, start > 0, end >= 0
    (anything else turns every vector into NaN without an error)."""
    for name, value, low_ok in (("start_alpha", start_alpha, False), ("end_alpha", end_alpha, True)):
        if not (isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
                and np.isfinite(value) and (value >= 0 if low_ok else value > 0)):
            raise ValueError(f"{name} must be a finite number {'>= 0' if low_ok else '> 0'}, got {value!r}")


class Schedule:
    """Maps this run's kernel progress onto the whole schedule's progress.

    A fresh run is the identity. A resumed run starts at ``progress0`` with
    ``alpha(progress0)`` and must reach ``end_alpha`` after ``run_words``
    more words, so one kernel word stands for ``(total - progress0) / run_words``
    words of the original schedule; alpha then stays one straight line.
    """

    def __init__(self, epochs, first_epoch, epoch_words, start_alpha, end_alpha, total_words=None,
                 progress0=0.0):
        self.epochs, self.first_epoch = int(epochs), int(first_epoch)
        self.start_alpha, self.end_alpha = float(start_alpha), float(end_alpha)
        self.run_words = max(epoch_words * (self.epochs - self.first_epoch), 1.0)
        self.total_words = float(total_words) if total_words is not None else self.run_words
        self.progress0 = float(progress0)
        self.scale = max(self.total_words - self.progress0, 0.0) / self.run_words

    def alpha_at(self, progress: float) -> float:
        fraction = min(max(progress / max(self.total_words, 1.0), 0.0), 1.0)
        return self.start_alpha - (self.start_alpha - self.end_alpha) * fraction

    def run_start_alpha(self) -> float:
        """The kernel's ``start_alpha`` for this run."""
        return self.alpha_at(self.progress0)

    def global_progress(self, kernel_progress: float) -> float:
        return min(self.progress0 + kernel_progress * self.scale, self.total_words)

    def state(self, epoch: int, kernel_progress: float) -> dict:
        return {"epoch": int(epoch), "epochs": self.epochs,
                "progress": self.global_progress(kernel_progress), "schedule_words": self.total_words,
                "start_alpha": self.start_alpha, "end_alpha": self.end_alpha}

    @classmethod
    def resuming(cls, state: dict, epochs, epoch_words) -> "Schedule":
        """The schedule that continues ``state`` (a model's ``training_state``)."""
        try:
            first, total = int(state["epoch"]), int(state["epochs"])
            progress, schedule = float(state["progress"]), float(state["schedule_words"])
            start, end = float(state["start_alpha"]), float(state["end_alpha"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"malformed training_state, cannot resume: {state!r}") from None
        if epochs is not None and int(epochs) != total:
            raise ValueError(f"resume=True continues the saved schedule of {total} epochs; "
                             f"got epochs={epochs} (pass epochs=None or {total})")
        if not 0 <= first <= total:
            raise ValueError(f"training_state epoch {first} is outside 0..{total}")
        check_rates(start, end)
        if not (0 <= progress <= schedule < float("inf") and 0 <= total <= INT32_MAX):
            raise ValueError(f"training_state has a progress of {progress} words of {schedule} over {total} "
                             "epochs, which no run leaves: cannot resume")
        return cls(total, first, epoch_words, start, end, schedule, progress)


class Checkpointer(CallbackAny2Vec):
    """Saves ``model`` to ``path`` every ``interval`` (see :func:`parse_interval`).

    Runs as a callback on the thread that called ``train``, so the checks
    happen every progress tick (at most ``report_delay / 10`` seconds apart).
    """

    def __init__(self, path, every, schedule: Schedule):
        self.path = path
        self.kind, self.amount = parse_interval(every)
        self.schedule = schedule
        self.saves = 0

    def _reset(self, model):
        self.last_time = time.monotonic()
        self.last_words = self._kernel_progress(model)

    @staticmethod
    def _kernel_progress(model) -> float:
        params = getattr(model, "_params", None)
        return float(params.progress) if params is not None else 0.0

    def _due(self, model) -> bool:
        if self.kind == "seconds":
            return time.monotonic() - self.last_time >= self.amount
        return self._kernel_progress(model) - self.last_words >= self.amount

    def save(self, model):
        """Save now; ``model._next_epoch`` (kept by ``train``) is where a resume starts."""
        epoch = model._next_epoch
        state = self.schedule.state(epoch, self._kernel_progress(model))
        model.save_checkpoint(self.path, state)
        self.saves += 1
        logger.info("checkpoint %s: epoch %d, %.1f%% of the schedule", self.path, epoch,
                    100.0 * state["progress"] / max(state["schedule_words"], 1.0))
        self._reset(model)

    def on_train_begin(self, model):
        self._reset(model)

    def on_epoch_begin(self, model):
        pass

    def on_batch_begin(self, model):
        pass

    def on_batch_end(self, model):
        if self._due(model):
            self.save(model)

    def on_epoch_end(self, model):
        if self._due(model):
            self.save(model)

    def on_train_end(self, model):
        pass
