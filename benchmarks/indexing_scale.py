"""Indexing at archive scale: N synthetic 400-word articles (paragraphs of Reuters-21578 stories
recombined, with the people, organisations and places of the stories they come from given in each
record) through ``news-search index``, printing for each N the rate, the peak memory of the process
tree and the index size, with the targets beside them.

    python benchmarks/indexing_scale.py --articles 10000,30000,100000 [--ner] [--keep DIR]

``--ner`` leaves the entity lists out, so the model reads every article, and measures spaCy's own
``nlp.pipe`` on 2 processes over the same texts in the same run (with one BLAS thread and with
OpenBLAS's default, the faster counting): the ceiling to compare with.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from common import DATA, ROOT, require

WORDS = 400
RECORDS_PER_FILE = 10_000
TARGET_RATE = 300
"""Articles per second with entities given (the archive-scale goal: 1M in under an hour)."""
TARGET_RSS_MB = 1536
TARGET_NER_SHARE = 0.8
"""With the model reading every article: this share of spaCy's own throughput on 2 processes."""
SOURCES = [f"{town} {paper}" for town in ("Northport", "Eastbury", "Westfield", "Southgate", "Lakeside",
                                          "Hillcrest", "Riverton", "Bayview")
           for paper in ("Herald", "Ledger", "Courier", "Tribune", "Gazette")]
FIRST_DAY, DAYS = date(1995, 1, 1), 30 * 365


@dataclass
class Paragraph:
    text: str
    words: int
    story: int
    """Index of the story it comes from, for its title and entities."""


@dataclass
class Story:
    title: str
    people: list[str]
    orgs: list[str]
    places: list[str]


def _name(code: str) -> str:
    """A Reuters index term ("el-salvador", "usa") as a name ("El Salvador", "USA")."""
    return code.upper() if len(code) <= 3 else code.replace("-", " ").title()


def reuters() -> tuple[list[Paragraph], list[Story]]:
    """Every distinct paragraph of Reuters-21578 (wire lines joined, the closing "Reuter" dropped)."""
    source = require(DATA / "reuters21578" / "reuters21578.jsonl.gz")
    paragraphs, stories, seen = [], [], set()
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            body = (record.get("body") or "").replace("\n Reuter\n&#3;", "").replace("&#3;", "")
            if not body.strip():
                continue
            story = len(stories)
            stories.append(Story(record["title"].title(), *([_name(c) for c in record[k]]
                                                              for k in ("people", "orgs", "places"))))
            for part in body.split("\n    "):
                text = re.sub(r"\s+reuter$", "", " ".join(part.split()), flags=re.IGNORECASE)
                if len(text.split()) >= 5 and text not in seen and text != "Reuter":
                    seen.add(text)
                    paragraphs.append(Paragraph(text, len(text.split()), story))
    return paragraphs, stories


def articles(count: int, paragraphs: list[Paragraph], stories: list[Story], entities: bool, seed: int = 11):
    """``count`` records of about WORDS words. Each opens with a pair of paragraphs no other record
    opens with, so no two share a lead (they would be folded as copies of one story)."""
    rng = random.Random(seed)
    short = [p for p in paragraphs if p.words < 45]
    leads: set[tuple[int, int]] = set()
    for n in range(count):
        while (pair := (rng.randrange(len(short)), rng.randrange(len(paragraphs)))) in leads:
            pass
        leads.add(pair)
        chosen = [short[pair[0]], paragraphs[pair[1]]]
        words = sum(p.words for p in chosen)
        while words < WORDS:
            chosen.append(paragraphs[rng.randrange(len(paragraphs))])
            words += chosen[-1].words
        record = {
            "url": f"https://news{n % 40}.example/{n}",
            "title": stories[chosen[0].story].title,
            "text": "\n".join(p.text for p in chosen),
            "published": (FIRST_DAY + timedelta(days=rng.randrange(DAYS))).isoformat(),
            "source": SOURCES[n % len(SOURCES)],
            "authors": [],
        }
        if entities:
            for kind in ("people", "orgs", "places"):
                record[kind] = list(dict.fromkeys(name for p in chosen for name in getattr(stories[p.story], kind)))
        yield record


def write_corpus(folder: Path, count: int, entities: bool) -> int:
    """The records as JSONL files of RECORDS_PER_FILE each; returns their total bytes."""
    folder.mkdir(parents=True)
    paragraphs, stories = reuters()
    out, size = None, 0
    for n, record in enumerate(articles(count, paragraphs, stories, entities)):
        if n % RECORDS_PER_FILE == 0:
            if out:
                out.close()
            out = open(folder / f"part-{n // RECORDS_PER_FILE:05d}.jsonl", "w", encoding="utf-8")
        size += out.write(json.dumps(record) + "\n")
    if out:
        out.close()
    return size


def _tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                queue.extend(int(c) for c in children.read().split())
        except OSError:
            pass
    return found


def _memory(pid: int, field: str) -> int:
    """A process's Rss or Pss in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Run:
    seconds: float
    peak_rss: int
    """Largest sum of RSS over the process tree (shared pages counted in each process)."""
    peak_pss: int
    """Largest sum of PSS over the process tree (shared pages split between their processes)."""
    peak_main: int
    """Largest RSS of the indexing process itself."""
    cpu: float
    """CPU seconds of the whole process tree (user and system)."""
    cpu_main: float
    """CPU seconds of the indexing process itself (the one that writes the index)."""
    output: str


def _cpu(pid: int) -> float:
    """A process's CPU seconds so far (user and system; 0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def committed(index_dir: Path) -> int:
    """Articles the index holds at its last commit (its table of contents alone is read)."""
    from search.index import IndexStore

    try:
        return IndexStore(index_dir).article_count()
    except Exception:  # between a commit's files: the next look will do
        return 0


def index(corpus: Path, index_dir: Path, workers: int, every: float = 0) -> Run:
    """``news-search index`` over the corpus, sampling the memory of its process tree. On a machine
    others use too, the CPU time per article says more than the rate: it is measured as well."""
    environment = dict(os.environ, NEWS_SEARCH_WORKERS=str(workers))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "search", "index", str(corpus), "--index", str(index_dir)],
                               cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peaks = {"rss": 0, "pss": 0, "main": 0, "cpu_main": 0.0}

    def sample() -> None:
        shown = start
        while process.poll() is None:
            if every and time.perf_counter() - shown >= every:  # a long run's figures so far, should it not end
                shown, done = time.perf_counter(), committed(index_dir)
                print(f"  {shown - start:6.0f} s: {done:,} articles committed ({done / (shown - start):.1f}/s), "
                      f"RSS main {mb(_memory(process.pid, 'Rss'))} (peak {mb(peaks['main'])}), tree peak "
                      f"{mb(peaks['rss'])}, index {mb(_folder_bytes(index_dir))}, load {os.getloadavg()[0]:.2f}", flush=True)
            pids = _tree(process.pid)
            peaks["rss"] = max(peaks["rss"], sum(_memory(p, "Rss") for p in pids))
            peaks["pss"] = max(peaks["pss"], sum(_memory(p, "Pss") for p in pids))
            peaks["main"] = max(peaks["main"], _memory(process.pid, "Rss"))
            peaks["cpu_main"] = max(peaks["cpu_main"], _cpu(process.pid))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate()[0].decode(errors="replace")
    seconds = time.perf_counter() - start
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers' time counts once their parent has waited for them
    if process.returncode != 0:
        sys.exit(f"news-search index exited with {process.returncode}:\n{output[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(seconds, peaks["rss"], peaks["pss"], peaks["main"], cpu, peaks["cpu_main"], output)


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def spacy_ceiling(corpus: Path, sample: int, processes: int = 2) -> float:
    """Articles per second of spaCy's ``nlp.pipe`` alone (NER only, as the pipeline loads it) on
    ``processes`` processes over the first ``sample`` texts of the corpus."""
    import spacy

    from search.ingest.entities import _UNUSED_PIPES
    from search.settings import Settings

    texts = []
    with open(sorted(corpus.glob("*.jsonl"))[0], encoding="utf-8") as records:
        for line, _ in zip(records, range(sample)):
            record = json.loads(line)
            texts.append(f"{record['title']}\n{record['text']}")
    nlp = spacy.load(Settings().spacy_model, exclude=_UNUSED_PIPES)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, n_process=processes, batch_size=64):
        pass
    return len(texts) / (time.perf_counter() - start)


BLAS_SETTINGS = {"one BLAS thread": "1", "a BLAS thread per CPU (OpenBLAS's default)": str(os.cpu_count() or 1)}
"""The product runs numpy's OpenBLAS with one thread (see ``search/__init__.py``); spaCy alone is
measured both ways, each in a fresh process, and the faster counts as its ceiling."""


def spacy_ceilings(corpus: Path, sample: int) -> dict[str, float]:
    """``spacy_ceiling`` under each of BLAS_SETTINGS, each in a fresh process (the setting is read
    as numpy loads)."""
    found = {}
    for name, threads in BLAS_SETTINGS.items():
        code = f"import indexing_scale, pathlib; print(indexing_scale.spacy_ceiling(pathlib.Path({str(corpus)!r}), {sample}))"
        run = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent, capture_output=True, text=True,
                             env=dict(os.environ, OPENBLAS_NUM_THREADS=threads, PYTHONPATH=str(ROOT)))
        if run.returncode != 0:
            sys.exit(f"spaCy's ceiling could not be measured:\n{run.stderr[-3000:]}")
        found[name] = float(run.stdout.split()[-1])
    return found


def mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", default="10000,30000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--ner", action="store_true", help="no entity lists in the records: the model reads every article")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep corpora and indexes in this folder (else a temporary one)")
    parser.add_argument("--every", type=float, default=0, help="print the figures so far every this many seconds")
    args = parser.parse_args()
    sizes = [int(n) for n in args.articles.split(",")]
    base = args.keep or Path(tempfile.mkdtemp(prefix="indexing-scale-"))
    print(f"commit {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()}, "
          f"{args.workers} workers, entities {'by the model' if args.ner else 'given in the records'}, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    rows = []
    try:
        for count in sizes:
            corpus, index_dir = base / f"corpus-{count}{'-ner' if args.ner else ''}", base / f"index-{count}"
            if not corpus.exists():
                start = time.perf_counter()
                size = write_corpus(corpus, count, entities=not args.ner)
                print(f"{count:,} articles written ({mb(size)} of JSONL) in {time.perf_counter() - start:.0f} s", flush=True)
            shutil.rmtree(index_dir, ignore_errors=True)
            run = index(corpus, index_dir, args.workers, args.every)
            rate = count / run.seconds
            summary = run.output.strip().splitlines()[-1] if run.output.strip() else ""
            row = (count, rate, run.peak_rss, run.peak_pss, run.peak_main, _folder_bytes(index_dir))
            rows.append(row)
            target = f"{TARGET_RATE}" if not args.ner else "see spaCy below"
            print(f"{count:>9,} articles  {run.seconds:7.0f} s  {rate:6.1f} articles/s (target ≥ {target})  "
                  f"peak RSS tree {mb(run.peak_rss)} / PSS {mb(run.peak_pss)} / main {mb(run.peak_main)} "
                  f"(target ≤ {TARGET_RSS_MB:,} MB)  index {mb(row[5])}  load {os.getloadavg()[0]:.2f}  [{summary}]\n"
                  f"{'':>19}CPU {run.cpu / count * 1000:.2f} ms per article over the process tree, "
                  f"{run.cpu_main / count * 1000:.2f} ms in the indexing process: on 2 idle cores at most "
                  f"{min(2 * count / run.cpu, count / run.cpu_main):.0f} articles/s", flush=True)
            if not args.keep:
                shutil.rmtree(index_dir, ignore_errors=True)
        if len(rows) > 1:
            (n0, _, _, pss0, main0, _), (n1, _, _, pss1, main1, _) = rows[0], rows[-1]
            per_thousand = 1000 / (n1 - n0)
            print(f"growth {n0:,} → {n1:,}: PSS {(pss1 - pss0) / 2**20 * per_thousand:+.2f} MB per 1,000 articles, "
                  f"main process {(main1 - main0) / 2**20 * per_thousand:+.2f} MB per 1,000 articles "
                  f"(target: flat); at 1M that adds {(pss1 - pss0) / 2**20 * per_thousand * (1_000_000 - n1) / 1000:,.0f} MB")
        if args.ner:
            ceilings = spacy_ceilings(base / f"corpus-{sizes[0]}-ner", min(sizes[0], 2000))
            for name, rate in ceilings.items():
                print(f"spaCy nlp.pipe alone, 2 processes, {name}: {rate:.1f} articles/s")
            ceiling, best = max(ceilings.values()), max(rate for _, rate, *_ in rows)
            print(f"indexing reached {best / ceiling:.0%} of the faster (target ≥ {TARGET_NER_SHARE:.0%}), "
                  f"load {os.getloadavg()[0]:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
