"""Fault injection: SIGKILL and SIGTERM at random moments of ``index`` and ``reindex`` runs.

    python benchmarks/crash.py [--trials 40] [--seed 1] [--reuters 200]

Every trial starts from an index of the bundled corpus (22 articles) and runs ``index`` or
``reindex`` over the corpus plus a slice of Reuters-21578 (from ../shared/data; without it, the
corpus alone, which is said), then kills the run: before its worker pool is up, while the pool
extracts, during the commit, or at the switch to a rebuilt index. One trial in four sends SIGTERM
(half of those to the whole process group, as a service manager does), the rest SIGKILL (as the
out-of-memory killer does, to the indexing process only). After each kill it checks that:

- no process of the killed run is left (within 5 s), and a SIGTERM ends with status 143 and a
  line saying so (one that arrives while Python is still loading the program, its first few tenths
  of a second, ends it by the signal before it has touched anything: listed as "loading");
- the index opens and serves its last committed state: the articles before the run or after it,
  each once, and a search answers;
- the same command run again is not told the index is busy and ends with the full corpus, every
  article once, leaving no unfinished build behind.

It prints one line per trial, the failures and the figures (time until the next run has finished,
what it removed, how soon workers died, how long a SIGTERM took to stop the run).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import DATA, ROOT, reuters_subset

from search.index import SearchIndex
from search.query import SearchRequest

WORKER_GRACE = 5.0
"""Seconds the workers of a killed run may take to go."""
POLL = 0.001
MOMENTS = {"index": ["before the pool", "pool up", "pool up", "commit"],
           "reindex": ["before the pool", "pool up", "commit", "switch"]}


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (Linux's /proc)."""
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found.update(int(child) for child in listing.read().split())
    except OSError:
        pass
    return found


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie (a dead process its new parent has yet to reap)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def table_numbers(names: list[str]) -> list[int]:
    return [int(name[len("_MAIN_"):-len(".toc")]) for name in names
            if name.startswith("_MAIN_") and name.endswith(".toc")]


def run_command(command: str, inputs: Path, index_dir: Path) -> subprocess.Popen:
    """The command in a process group of its own, its output in a file beside the index (a pipe
    would stay open as long as any worker lives)."""
    with open(index_dir.with_suffix(".log"), "w") as log:
        return subprocess.Popen([sys.executable, "-m", "search", command, str(inputs), "--index", str(index_dir)],
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


@dataclass
class Watch:
    """What a run has done so far, seen from outside: its workers, and the files of its commit."""

    process: subprocess.Popen
    index_dir: Path
    command: str
    started: float = field(default_factory=time.monotonic)
    workers: set[int] = field(default_factory=set)
    writing: Path | None = None
    """The generation the run writes: the current one for ``index``, the ``building-`` one for ``reindex``."""
    tables: int = 0
    """The newest table of contents in it when the run began (Whoosh's ``_MAIN_<n>.toc``)."""

    def __post_init__(self):
        if self.command == "index":
            self.writing = self.index_dir / os.readlink(self.index_dir / "current")
            self.tables = max(table_numbers(os.listdir(self.writing)))

    def poll(self) -> None:
        self.workers |= children(self.process.pid)
        if self.writing is None:
            self.writing = next(self.index_dir.glob("building-*"), None)

    def _names(self) -> list[str] | None:
        """The files of the generation being written; None once a build has been renamed (switched to)."""
        try:
            return os.listdir(self.writing) if self.writing else []
        except FileNotFoundError:
            return None

    def committing(self) -> bool:
        """Whether the commit has begun: Whoosh writes the columns (``.col``) first."""
        names = self._names()
        return names is None or any(name.endswith(".col") for name in names)

    def committed(self) -> bool:
        """Whether the commit's new table of contents is written."""
        names = self._names()
        return names is None or max(table_numbers(names), default=0) > self.tables

    def wait_for(self, ready, limit: float = 120.0) -> bool:
        """Polls until ``ready()`` or the run ends; whether it is ready (and the run still going)."""
        while self.process.poll() is None and time.monotonic() - self.started < limit:
            self.poll()
            if ready():
                return True
            time.sleep(POLL)
        return False

    def sleep(self, seconds: float) -> None:
        until = time.monotonic() + seconds
        while self.process.poll() is None and time.monotonic() < until:
            self.poll()
            time.sleep(POLL)


@dataclass
class Timings:
    """When each phase of a run begins, measured on an unharmed run (seconds from its start)."""
    pool: float
    commit: float
    committed: float
    end: float


def measure(command: str, inputs: Path, base: Path, work: Path) -> Timings:
    index_dir = work / f"measure-{command}"
    shutil.copytree(base, index_dir, symlinks=True)
    watch = Watch(run_command(command, inputs, index_dir), index_dir, command)
    marks = []
    for ready in (lambda: watch.workers, watch.committing, watch.committed):
        watch.wait_for(ready)
        marks.append(time.monotonic() - watch.started)
    watch.process.wait()
    return Timings(*marks, time.monotonic() - watch.started)


def indexed(index_dir: Path) -> list[str]:
    """The ids of every article the index serves, by listing them all (a search must also answer)."""
    search = SearchIndex(index_dir)
    search.search(SearchRequest(q="market OR volcano"))
    return [hit.id for hit in search.export(SearchRequest(collapse=False))]


@dataclass
class Trial:
    number: int
    command: str
    signal: signal.Signals
    moment: str
    group: bool = False
    landed: str = ""
    """How far the run had got when the signal was sent."""
    left: str = ""
    """What the index served after the kill."""
    delay: float = 0.0
    workers_gone: float | None = None
    stop: float | None = None
    recovery: float | None = None
    removed: list[str] = field(default_factory=list)
    busy: bool = False
    """Whether the next run was told the index was busy."""
    problems: list[str] = field(default_factory=list)


def kill_at(trial: Trial, watch: Watch, timings: Timings, rng: random.Random) -> None:
    """Waits for the trial's moment and sends its signal."""
    if trial.moment == "before the pool":
        watch.sleep(rng.uniform(0.1, 0.7 * timings.pool))  # a loaded machine runs slower than measured
    elif trial.moment == "pool up":
        watch.wait_for(lambda: watch.workers)
        watch.sleep(rng.uniform(0, max(timings.commit - timings.pool, 0.1)))
    elif trial.moment == "commit":
        watch.wait_for(watch.committing)
        watch.sleep(rng.uniform(0, max(timings.committed - timings.commit, 0.01)))
    else:  # the switch follows the commit's table of contents within milliseconds
        watch.wait_for(watch.committed)
        watch.sleep(rng.uniform(0, 0.02))
    trial.delay = time.monotonic() - watch.started
    watch.poll()
    if trial.group:
        os.killpg(watch.process.pid, trial.signal)
    else:
        watch.process.send_signal(trial.signal)


def phase(watch: Watch) -> str:
    """How far the run had got when the signal was sent, as seen from outside."""
    if watch.committed():
        return "committed"
    if watch.committing():
        return "committing"
    return "pool up" if watch.workers else "before the pool"


def outcome(index_dir: Path, served: str, ids: list[str], before: set[str]) -> str:
    """What the kill left: the index served (the old articles or the new) and any unfinished build."""
    state = "old articles" if set(ids) == before else "new articles" if ids else "nothing served"
    try:
        current = os.readlink(index_dir / "current")
    except OSError:
        return state + ", no current generation"
    if any(index_dir.glob("building-*")):
        state += ", build left"
    elif any(p.name > current for p in index_dir.glob("gen-*")):
        state += ", build renamed, not switched"
    elif current != served:
        state += ", switched"
    return state


def run_trial(trial: Trial, inputs: Path, base: Path, work: Path, timings: dict[str, Timings],
              before: set[str], full: set[str], rng: random.Random) -> None:
    index_dir = work / f"trial-{trial.number}"
    shutil.copytree(base, index_dir, symlinks=True)
    watch = Watch(run_command(trial.command, inputs, index_dir), index_dir, trial.command)
    served = os.readlink(index_dir / "current")
    kill_at(trial, watch, timings[trial.command], rng)
    sent = time.monotonic()
    trial.landed = phase(watch)
    watch.process.wait(timeout=60)
    trial.stop = time.monotonic() - sent
    output = index_dir.with_suffix(".log").read_text()
    finished = "Indexed " in output  # the signal came as the run was ending: nothing left to stop
    loading = (watch.process.returncode == -signal.SIGTERM and not output  # still importing: nothing begun
               and trial.landed == "before the pool")
    if trial.signal == signal.SIGTERM and watch.process.returncode != 143 and not (finished or loading):
        trial.problems.append(f"SIGTERM ended with status {watch.process.returncode}: {output.strip()[-200:]}")
    if trial.signal == signal.SIGTERM and loading:
        trial.landed = "loading"
    if trial.signal == signal.SIGTERM and "Traceback" in output:
        trial.problems.append("a traceback after SIGTERM")
    while any(alive(pid) for pid in watch.workers) and time.monotonic() - sent < WORKER_GRACE:
        time.sleep(0.005)
    survivors = [pid for pid in watch.workers if alive(pid)]
    trial.workers_gone = time.monotonic() - sent
    if survivors:  # left alive until the next run has been tried: do they keep it out?
        trial.problems.append(f"workers still alive after {WORKER_GRACE:.0f} s: {survivors}")

    try:
        check_served(trial, index_dir, served, before, full)
        run_again(trial, inputs, index_dir, full)
    finally:
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(index_dir)


def check_served(trial: Trial, index_dir: Path, served: str, before: set[str], full: set[str]) -> None:
    """After the kill: the index opens and serves the articles of before the run or after it, each once."""
    try:
        ids = indexed(index_dir)
    except Exception as error:  # the very thing this looks for: report it, go on with the next trial
        trial.problems.append(f"the index does not open after the kill: {type(error).__name__}: {error}")
        ids = []
    trial.left = outcome(index_dir, served, ids, before)
    if len(ids) != len(set(ids)):
        trial.problems.append(f"{len(ids) - len(set(ids))} article(s) listed twice after the kill")
    if ids and set(ids) not in (before, full):
        trial.problems.append(f"after the kill the index holds {len(set(ids))} articles, neither the "
                              f"{len(before)} before nor the {len(full)} after")


def run_again(trial: Trial, inputs: Path, index_dir: Path, full: set[str]) -> None:
    """The same command again: not kept out, and it ends with every article once and no build left."""
    started = time.monotonic()
    again = subprocess.run([sys.executable, "-m", "search", trial.command, str(inputs), "--index", str(index_dir)],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    trial.recovery = time.monotonic() - started
    removed = [line for line in again.stdout.splitlines() if line.startswith("Removed what")]
    if removed:
        trial.removed = removed[0].split(": ", 1)[1].rstrip(".").split(", ")
    trial.busy = "another indexing run is writing" in again.stderr
    if again.returncode != 0:
        trial.problems.append(f"the next run ended with status {again.returncode}: {again.stderr.strip()[-200:]}")
    ids = indexed(index_dir)
    if len(ids) != len(set(ids)) or set(ids) != full:
        trial.problems.append(f"after the next run: {len(ids)} listed, {len(set(ids))} distinct, {len(full)} expected")
    if any(index_dir.glob("building-*")):
        trial.problems.append("an unfinished build is left after the next run")


def schedule(trials: int, rng: random.Random) -> list[Trial]:
    """Commands alternating and each one's moments in turn; a quarter of the trials, drawn at
    random, SIGTERM (every other one to the whole process group), the rest SIGKILL."""
    stops = [signal.SIGTERM] * (trials // 4) + [signal.SIGKILL] * (trials - trials // 4)
    rng.shuffle(stops)
    planned, terms = [], 0
    for number, stop in enumerate(stops):
        command = ("index", "reindex")[number % 2]
        moments = MOMENTS[command]
        terms += stop == signal.SIGTERM
        planned.append(Trial(number + 1, command, stop, moments[(number // 2) % len(moments)],
                             group=stop == signal.SIGTERM and terms % 2 == 0))
    return planned


def make_inputs(folder: Path, reuters: int) -> Path:
    shutil.copytree(ROOT / "corpus", folder / "corpus")
    source = DATA / "reuters21578" / "reuters21578.jsonl.gz"
    if reuters and source.exists():
        reuters_subset(reuters, folder / "reuters.jsonl")
    else:
        print(f"{source.relative_to(ROOT.parent)} is absent: the bundled corpus alone is indexed "
              "(runs are short, so fewer kills land mid-run).")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=40, help="kills (one in four SIGTERM); 40 take about 8 minutes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuters", type=int, default=200, help="Reuters-21578 articles added to the corpus")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="crash-"))
    try:
        inputs = make_inputs(work / "in", args.reuters)
        base = work / "base"
        subprocess.run([sys.executable, "-m", "search", "index", str(inputs / "corpus"), "--index", str(base)],
                       cwd=ROOT, check=True, capture_output=True)
        reference = work / "reference"
        shutil.copytree(base, reference, symlinks=True)
        subprocess.run([sys.executable, "-m", "search", "index", str(inputs), "--index", str(reference)],
                       cwd=ROOT, check=True, capture_output=True)
        before, full = set(indexed(base)), set(indexed(reference))
        timings = {command: measure(command, inputs, base, work) for command in MOMENTS}
        print(f"{len(before)} articles before each run, {len(full)} after it.")
        for command, t in timings.items():
            print(f"{command}: pool up at {t.pool:.2f} s, commit {t.commit:.2f}–{t.committed:.2f} s, "
                  f"ends at {t.end:.2f} s")
        print(f"\n{'#':>3} {'command':8} {'signal':15} {'aimed at':16} {'at (s)':>6}  {'landed':15} {'left':36} "
              f"{'stop':>6} {'workers':>7} {'next run':>8} {'removed':>7}  result")
        results = []
        for trial in schedule(args.trials, rng):
            run_trial(trial, inputs, base, work, timings, before, full, rng)
            results.append(trial)
            name = trial.signal.name + (" (group)" if trial.group else "")
            print(f"{trial.number:3} {trial.command:8} {name:15} {trial.moment:16} {trial.delay:6.2f}  {trial.landed:15} {trial.left:36} "
                  f"{trial.stop:5.2f}s {trial.workers_gone:6.2f}s {trial.recovery:7.2f}s {len(trial.removed):7}  "
                  f"{'; '.join(trial.problems) or 'ok'}", flush=True)
        report(results)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(trials: list[Trial]) -> None:
    failed = [t for t in trials if t.problems]
    kills = sum(t.signal == signal.SIGKILL for t in trials)
    print(f"\n{len(trials)} trials ({kills} SIGKILL, {len(trials) - kills} SIGTERM): {len(failed)} failed")
    for landed in ("loading", "before the pool", "pool up", "committing", "committed"):
        outcomes = sorted({t.left for t in trials if t.landed == landed})
        print(f"  sent {landed}: {sum(t.landed == landed for t in trials)} "
              f"({'; '.join(f'{o}: {sum(t.left == o and t.landed == landed for t in trials)}' for o in outcomes)})")
    recovery = [t.recovery for t in trials if not t.problems]
    if recovery:
        print(f"next run, until finished with the full corpus: median {statistics.median(recovery):.2f} s, "
              f"max {max(recovery):.2f} s")
    print(f"next runs told the index was busy: {sum(t.busy for t in trials)}; "
          f"trials leaving a worker alive after {WORKER_GRACE:.0f} s: "
          f"{sum(any('still alive' in p for p in t.problems) for t in trials)}")
    cleaned = [t for t in trials if t.removed]
    print(f"leftovers removed by the next run: {sum(len(t.removed) for t in trials)} in {len(cleaned)} trials "
          f"({sum(any(n.startswith('building-') for n in t.removed) for t in trials)} unfinished rebuilds)")
    print(f"workers gone after the kill: max {max(t.workers_gone for t in trials):.2f} s")
    terms = [t.stop for t in trials if t.signal == signal.SIGTERM]
    if terms:
        print(f"SIGTERM to exit: median {statistics.median(terms):.2f} s, max {max(terms):.2f} s")


if __name__ == "__main__":
    main()
