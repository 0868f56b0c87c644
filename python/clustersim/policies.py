"""Reference policies written in Python, for ``clustersim.run(..., queue=..., selection=...)``.

A queue policy is any object with ``schedule(view)``: the engine calls it at every scheduling pass
(after each submission and each completion) with a :class:`clustersim._clustersim.View`, and the
policy starts jobs with ``view.start(j)`` (True when the job was placed) or returns the jobs to
start, tried in order. A selection policy is any object with ``select(job, free, placed)``
returning a node index or None. These reproduce the built-in ``fifo``, ``easy_backfill`` and
``first_fit`` decision for decision (python/tests/test_policies.py).
"""

from __future__ import annotations

__all__ = ["Fifo", "HeadFifo", "Easy", "FirstFit"]


class Fifo:
    """Jobs start in submit order; the first that does not fit blocks the rest."""

    def schedule(self, view):
        for j in view.waiting:
            if not view.start(j):
                break


class HeadFifo:
    """``Fifo`` reading only the head of the queue: the same schedule, at a cost per pass that does
    not grow with the queue (``view.waiting`` lists every waiting job)."""

    def schedule(self, view):
        while len(view) and view.start(view.head(1)[0]):
            pass


def _fits(need, free):
    return all(n <= f for n, f in zip(need, free))


def _sub(a, *bs):
    for b in bs:
        a = tuple(x - y for x, y in zip(a, b))
    return a


def _add(a, *bs):
    for b in bs:
        a = tuple(x + y for x, y in zip(a, b))
    return a


class Easy:
    """EASY backfilling: FIFO, then the first job that does not fit gets a reservation at the
    earliest time running jobs (released at their estimated ends) leave room for it, and any
    later job starts now if it fits and either ends by then or fits in what the head leaves over.

    As the built-in ``easy_backfill`` (and pyss) does, a running job whose estimated end and whose
    completion both fall on this instant counts as free now; a job that needs that capacity is
    *committed*, and started in the pass after that completion, at the same instant."""

    def __init__(self):
        self.committed, self.at = [], None

    def schedule(self, view):
        now, ending = view.now, set(view.ending_now)
        if self.committed and self.at == now:
            while self.committed and view.start(self.committed[0]):
                self.committed.pop(0)
        if self.at != now or not ending:
            self.committed = []  # the capacity did not come: decide afresh
        due = [j for end, j in view.running if end <= now and j in ending]
        free = _sub(_add(view.free, *map(view.held, due)), *(view.job(j).total for j in self.committed))
        queue = [j for j in view.waiting if j not in self.committed]
        while queue and _fits(view.job(queue[0]).total, free) and self._start(view, queue[0], ending):
            free = _sub(free, view.job(queue.pop(0)).total)
        if len(queue) < 2:
            return
        head = view.job(queue[0]).total
        releases = [(max(end, now + 1e-6), view.held(j)) for end, j in view.running if j not in due]
        releases += [(now + max(view.job(j).estimate, 1e-6), view.job(j).total) for j in self.committed]
        avail, shadow = free, float("inf")
        for end, held in sorted(releases, key=lambda r: r[0]):
            if end > shadow:
                break
            avail = _add(avail, held)
            if shadow == float("inf") and _fits(head, avail):
                shadow = end
        extra = _sub(avail, head)
        for j in queue[1:]:
            job = view.job(j)
            if not any(x > 0 for x in free):
                break
            late = now + max(job.estimate, 1e-6) > shadow
            if _fits(job.total, free) and (not late or _fits(job.total, extra)) and self._start(view, j, ending):
                free = _sub(free, job.total)
                extra = _sub(extra, job.total) if late else extra

    def _start(self, view, j, ending):
        if not self.committed and view.start(j):
            return True
        if ending:
            self.committed.append(j)
            self.at = view.now
        return bool(ending)


class FirstFit:
    """The lowest-numbered node that is up and has room for the task."""

    def select(self, job, free, placed):
        need = (job.cpu, job.mem, job.gpu)
        for n, f in enumerate(free):
            if f is not None and _fits(need, f):
                return n
        return None
