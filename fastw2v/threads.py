"""Feeding the kernels: worker threads, corpus shards and progress.

Two drivers, one kernel. Both turn the corpus into batches of int32
vocabulary indices plus sentence ends and call ``_kernels.train_batch``,
which runs without the GIL:

- ``corpus_file``: the file is encoded once (in C, on the worker threads:
  ``encode_file``) into one int32 array; each epoch the workers take its
  contiguous 100k-token chunks in order, one nogil kernel call per chunk. No
  queue, no Python per token or sentence.
- ``corpus_iterable``: the calling thread iterates the corpus, encodes
  ``batch_words``-sized batches in C and queues them; workers train them.

The calling thread meanwhile logs progress, runs callbacks and turns Ctrl-C
into a clean stop at the next sentence boundary.
"""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import itertools
import logging
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass

import numpy as np

from fastw2v import _kernels
from fastw2v._vocab import Scanner, TokenTable
from fastw2v.callbacks import call_hooks
from fastw2v.reader import CHUNK_SIZE, iter_chunks
from fastw2v.vocab import MAX_SENTENCE_LENGTH

logger = logging.getLogger(__name__)


@dataclass
class EncodedCorpus:
    """A corpus as vocabulary indices: sentence s is ``ids[ends[s-1]:ends[s]]``.

    ``weights`` (optional, one per sentence) scales each sentence's learning rate.
    """
    ids: np.ndarray
    ends: np.ndarray
    raw_tokens: int
    weights: np.ndarray | None = None

    @property
    def words(self) -> int:
        """In-vocabulary tokens of one epoch."""
        return len(self.ids)

    def chunks(self, words: int) -> list[tuple[int, int]]:
        """Contiguous sentence ranges of about ``words`` tokens each, in corpus order."""
        return chunk_ranges(self.ends, words)

    def batch(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, int]:
        """Sentences ``lo .. hi-1`` as the kernel takes them: ``(ids, ends, first_start)``."""
        return self.ids, self.ends[lo:hi], int(self.ends[lo - 1]) if lo > 0 else 0


def chunk_ranges(ends: np.ndarray, words: int) -> list[tuple[int, int]]:
    """Contiguous ranges of sentences (sentence s ends at token ``ends[s]``) of about
    ``words`` tokens each, in corpus order."""
    if len(ends) == 0:
        return []
    total = int(ends[-1])
    n = max(1, int(np.ceil(total / max(words, 1))))
    targets = np.arange(1, n) * (total / n)
    cuts = np.searchsorted(ends, targets, side="left") + 1
    bounds = np.concatenate(([0], np.minimum(cuts, len(ends)), [len(ends)]))
    bounds = np.unique(np.maximum.accumulate(bounds))
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]


def _scan(encoder: TokenTable, chunk: bytes, limit: int, open_tokens: int = 0):
    scanner = Scanner(limit, open_tokens)
    ids, ends = encoder.encode_buffer(scanner, chunk)
    return scanner, ids, ends


def _stitched(scanner: Scanner, ends: np.ndarray, open_tokens: int, limit: int):
    """A buffer scanned from a fresh state, placed after a line holding ``open_tokens``
    raw tokens: its sentence ends and the line it leaves open, or None when a length
    cut would fall elsewhere in its head (it must be scanned from the true state)."""
    head = scanner.head_tokens  # -1: no newline, the open line runs through the buffer
    if open_tokens and open_tokens + (scanner.total_tokens if head < 0 else head) >= limit:
        return None
    if head < 0:
        return ends, open_tokens + scanner.sentence_tokens
    if open_tokens and head == 0:
        ends = np.concatenate(([0], ends))  # the newline at its start closes the open line
    return ends, scanner.sentence_tokens


def encode_file(path, encoder: TokenTable, errors="replace", workers: int = 1,
                max_sentence_length: int = MAX_SENTENCE_LENGTH, chunk_size: int = CHUNK_SIZE) -> EncodedCorpus:
    """Encode a text file (one sentence per line) with the C scanner.

    With several ``workers`` the file's buffers are scanned on that many threads
    (the scan runs without the GIL), each from a fresh state, and stitched in
    order (``_stitched``). A buffer whose head would take a length cut is scanned
    again from the true state, and the rest of the file in order, since its lines
    are that long. So the result is the same for any number of workers.
    """
    limit = max_sentence_length
    id_parts, end_parts = [], []
    total = raw = 0
    open_tokens = 0          # raw tokens of the line still open where the next buffer starts
    chunks = iter_chunks(path, errors=errors, chunk_size=chunk_size)
    pending: collections.deque = collections.deque()   # (buffer, its scan apart or None)
    with (concurrent.futures.ThreadPoolExecutor(workers, "fastw2v-encode") if workers > 1
          else contextlib.nullcontext()) as pool:
        apart = pool is not None

        def submit():
            chunk = next(chunks, None)
            if chunk is not None:
                pending.append((chunk, pool.submit(_scan, encoder, chunk, limit) if apart else None))

        for _ in range(2 * max(workers, 1)):
            submit()
        while pending:
            chunk, future = pending.popleft()
            placed = None
            if future is not None:
                scanner, ids, ends = future.result()
                placed = _stitched(scanner, ends, open_tokens, limit)
            if placed is None:
                apart = False
                scanner, ids, ends = _scan(encoder, chunk, limit, open_tokens)
                placed = ends, scanner.sentence_tokens
            ends, open_tokens = placed
            id_parts.append(ids)
            end_parts.append(ends + total)
            total += len(ids)
            raw += scanner.total_tokens
            submit()
    if open_tokens:
        end_parts.append(np.array([total], dtype=np.int64))
    ids = np.concatenate(id_parts) if id_parts else np.zeros(0, np.int32)
    ends = np.concatenate(end_parts).astype(np.int64, copy=False) if end_parts else np.zeros(0, np.int64)
    return EncodedCorpus(ids, ends, raw)


class Interrupts:
    """Ctrl-C during training that cannot be lost.

    CPython runs a signal's Python handler at the main thread's next bytecode.
    When that bytecode belongs to a weakref callback or a ``__del__`` -- the
    garbage collector runs them at any point, e.g. for the previous epoch's
    worker threads, which threading keeps in a WeakSet -- the KeyboardInterrupt
    is printed as "Exception ignored" and dropped, and a long schedule would
    train on (seen about once in 60 Ctrl-Cs under load). While installed, a
    SIGINT also records itself and asks the workers to stop; ``check()`` (every
    progress tick and epoch) raises the KeyboardInterrupt again if it was lost.
    Installed only on the main thread over Python's default handler: a handler
    the user set is left alone.
    """

    def __init__(self, params):
        self.params = params
        self.seen = False
        self.previous = None

    def install(self) -> None:
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self.previous = signal.signal(signal.SIGINT, self._handler)

    def _handler(self, signum, frame):
        self.seen = True
        self.params.request_stop()
        raise KeyboardInterrupt

    def restore(self):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None

    def check(self):
        if self.seen:
            raise KeyboardInterrupt


class Progress:
    """Logging and callbacks on the calling thread while workers train."""

    def __init__(self, model, params, states, epoch, epoch_words, report_delay, callbacks, interrupts):
        self.interrupts = interrupts
        self.model, self.params, self.states = model, params, states
        self.epoch, self.epoch_words = epoch, max(epoch_words, 1)
        self.report_delay = report_delay
        self.callbacks = callbacks
        self.start_progress = params.progress
        self.start = self.last_report = time.perf_counter()

    def words_done(self) -> int:
        return self.params.progress - self.start_progress

    def tick(self):
        """Report if due, and run ``on_batch_end``; StopTraining stops the workers."""
        self.interrupts.check()
        call_hooks(self.callbacks, "on_batch_end", self.model)
        if self.model._stop_requested:
            self.params.request_stop()
        now = time.perf_counter()
        if now - self.last_report >= self.report_delay:
            self.last_report = now
            done = self.words_done()
            elapsed = max(now - self.start, 1e-9)
            rate = done / elapsed
            total = self.params.progress / max(self.model._schedule_words, 1)
            eta = (self.epoch_words - done) / rate if rate > 0 else float("inf")
            logger.info("EPOCH %d - PROGRESS: at %.2f%% words (training %.1f%%), %.0f words/s, "
                        "alpha %.6f, epoch ETA %.1fs", self.epoch, 100.0 * done / self.epoch_words,
                        100.0 * min(total, 1.0), rate, self.states[0].last_alpha, max(eta, 0.0))


def _start(targets, params) -> list[threading.Thread]:
    """One daemon thread per target; an exception is kept on the thread and stops the others."""
    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # re-raised on the calling thread
                threading.current_thread().error = exc
                params.request_stop()
        return run

    threads = [threading.Thread(target=guard(fn), daemon=True) for fn in targets]
    for t in threads:
        t.error = None
        t.start()
    return threads


def _wait(threads, progress: Progress, poll: float, on_abort=None):
    """Wait for the workers while ticking progress; Ctrl-C stops them at the next
    sentence boundary (within FW2V_PUBLISH_EVERY tokens) before re-raising."""
    try:
        for t in threads:
            while t.is_alive():
                t.join(poll)
                progress.tick()
    except BaseException:
        progress.params.request_stop()
        if on_abort:
            on_abort()
        for t in threads:
            t.join()
        raise
    for t in threads:
        if t.error is not None:
            raise t.error


# Encoded corpora are trained in contiguous chunks of this many tokens, handed to
# whichever worker is free: a fixed shard per worker would leave the faster one
# idle at the end of every epoch (parts of a corpus train at different speeds).
CHUNK_WORDS = 100_000


def tapered(corpus, size: int, workers: int) -> list[tuple[int, int]]:
    """Chunks of about ``size`` tokens, the last ``workers`` of them cut eight
    times finer: workers meet at the end of every epoch, and a worker that
    draws a long last chunk leaves the others idle until it is done (guided
    scheduling). The ranges still cover the sentences once, in corpus order."""
    chunks = corpus.chunks(size)
    if workers < 2 or len(chunks) <= workers:
        return chunks
    cut = chunks[-workers][0]
    fine = [c for c in corpus.chunks(max(1, size // 8)) if c[0] >= cut]
    head = chunks[:-workers]
    if fine and fine[0][0] > cut:
        head.append((cut, fine[0][0]))
    return head + fine


def train_epoch_encoded(corpus: EncodedCorpus, params, states, progress: Progress):
    """One epoch over an encoded corpus: workers take the next chunk in corpus
    order (one nogil kernel call each); with one worker the order is the corpus's.

    ``corpus`` is an `EncodedCorpus`, or any object with its ``words``,
    ``weights``, ``chunks()`` and ``batch()`` (fastw2v.sequences encodes
    integer sequences a chunk at a time, in ``batch``).
    """
    # small corpora still get a few chunks per worker, so every worker has work
    size = max(1000, min(CHUNK_WORDS, corpus.words // (4 * len(states))))
    chunks = tapered(corpus, size, len(states))
    cursor = itertools.count()  # next() is atomic under the GIL

    def worker(state):
        def run():
            for k in cursor:
                if k >= len(chunks) or params.stop_requested:
                    return
                lo, hi = chunks[k]
                ids, ends, first = corpus.batch(lo, hi)
                weights = None if corpus.weights is None else corpus.weights[lo:hi]
                _kernels.train_batch(params, state, ids, ends, first, weights)
        return run

    _wait(_start([worker(s) for s in states], params), progress, poll=max(progress.report_delay / 10, 0.01))


# A worker needs the GIL between jobs, and the thread feeding it holds the GIL
# while it iterates the corpus: CPython hands it over only every switch interval
# (5 ms), so a job must train for much longer than that. 100k tokens take ~0.1 s.
MIN_JOB_WORDS = 100_000
FEEDER_SWITCH_INTERVAL = 0.0005  # seconds, see train_epoch_iterable


def _batches(corpus_iterable, encoder: TokenTable, batch_words: int):
    """Encoded jobs of about ``max(batch_words, MIN_JOB_WORDS)`` raw tokens each,
    a job closing after the sentence that reaches it (consumed in C, see
    ``TokenTable.encode_batch``)."""
    # any size past the corpus is one job: capped where C's int64 holds it (gensim takes any int)
    batch_words = min(max(batch_words, MIN_JOB_WORDS), 2**63 - 1)
    sentences = iter(corpus_iterable)
    position = 0
    while True:
        ids, ends, raw, taken = encoder.encode_batch(sentences, MAX_SENTENCE_LENGTH, position, batch_words)
        if not taken:
            return
        position += taken
        yield ids, ends, raw


def train_epoch_iterable(corpus_iterable, encoder: TokenTable, params, states, progress: Progress,
                         batch_words: int, queue_factor: int = 2) -> int:
    """One epoch over an iterable: this thread encodes, workers train. Returns raw tokens seen."""
    jobs: queue.Queue = queue.Queue(maxsize=max(queue_factor * len(states), 2))

    def worker(state):
        def run():
            while True:
                job = jobs.get()
                if job is None:
                    return
                if not params.stop_requested:
                    _kernels.train_batch(params, state, job[0], job[1])
        return run

    def put(item) -> bool:
        """Queue ``item`` unless training stops first (workers may be gone)."""
        while not params.stop_requested:
            try:
                jobs.put(item, timeout=0.05)
                return True
            except queue.Full:
                progress.tick()
        return False

    def abort():
        try:
            while True:
                jobs.get_nowait()
        except queue.Empty:
            pass
        for _ in threads:
            try:
                jobs.put_nowait(None)
            except queue.Full:
                break

    threads = _start([worker(s) for s in states], params)
    raw_total = 0
    # This thread holds the GIL while it encodes; a worker back from a job needs
    # it for a moment to take the next one and, by default, waits out CPython's
    # 5 ms switch interval for it -- over a tenth of a fast CBOW job. A shorter
    # interval while this loop runs hands the GIL over sooner (measured: CBOW
    # iterable 0.85-0.89x -> 0.97x of corpus_file on 2 cores).
    switch = sys.getswitchinterval()
    sys.setswitchinterval(min(switch, FEEDER_SWITCH_INTERVAL))
    try:
        for ids, ends, raw in _batches(corpus_iterable, encoder, batch_words):
            raw_total += raw
            if not put((ids, ends)):
                break
            progress.tick()
    except BaseException:
        params.request_stop()
        abort()
        for t in threads:
            t.join()
        raise
    finally:
        sys.setswitchinterval(switch)
    for _ in threads:
        if not put(None):
            abort()
            break
    _wait(threads, progress, poll=0.05, on_abort=abort)
    return raw_total


# Sentences per scoring job: a job costs one encode call and one nogil kernel
# call, so it must be long enough that the Python around them does not count.
MIN_SCORE_JOB = 1000
# "Unlimited" sentence length for scoring: one score per input sentence, however long.
_NO_CUT = 1 << 62


def score_sentences(sentences, encoder, params, states, limit: int, chunksize: int = 100,
                    queue_factor: int = 2) -> tuple[np.ndarray, bool]:
    """Log-likelihood of each of the first ``limit`` sentences (see
    ``_kernels.score_batch``): this thread encodes jobs of sentences, the
    ``states``' threads score them without the GIL. Unknown tokens are left
    out, as in training; a sentence with none known scores 0. Returns the
    scores (float32, in input order) and whether sentences were left unscored."""
    job_size = max(int(chunksize), MIN_SCORE_JOB)
    free: queue.SimpleQueue = queue.SimpleQueue()
    for s in states:
        free.put(s)

    def score(ids, ends, known):
        state = free.get()
        try:
            out = np.zeros(len(known), dtype=np.float32)
            out[known] = _kernels.score_batch(params, state, ids, ends)
            return out
        finally:
            free.put(state)

    sentences = iter(sentences)
    parts, pending = [], collections.deque()
    taken, more = 0, False
    with concurrent.futures.ThreadPoolExecutor(len(states), "fastw2v-score") as pool:
        while True:
            job = [s if isinstance(s, (list, tuple)) else list(s)
                   for s in itertools.islice(sentences, min(job_size, limit - taken))]
            if job:
                taken += len(job)
                ids, ends, _ = encoder.encode_sentences(job, _NO_CUT)
                # a sentence of unknown tokens only still closes an (empty) sentence; an empty one does not
                known = np.fromiter((len(s) > 0 for s in job), dtype=bool, count=len(job))
                pending.append(pool.submit(score, ids, ends, known))
            if pending and (not job or len(pending) >= queue_factor * len(states)):
                parts.append(pending.popleft().result())
            if not job and not pending:
                break
            if job and taken >= limit:
                more = next(sentences, None) is not None
                sentences = iter(())
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)), more
