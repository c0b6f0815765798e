"""Hostile inputs: `news-search index` over a folder of files built to hurt (gzip bombs, a page of
a million <p>, 100,000-deep nesting, truncated archives, lying charsets, symbolic link loops, ...)
beside normal articles. Prints the peak memory of the whole process tree (the indexer and its
worker processes, sampled every 50 ms), the wall time, the counts, and what became of each file.

    python benchmarks/hostile.py [--keep DIR]

Needs no evaluation data: the normal articles are the bundled corpus/. The target is a peak
below 1 GB (resident memory summed over the process tree) with every normal article indexed.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, wait_watching_memory

TARGET_MB = 1024
MB = 1 << 20
PARAGRAPH = ("<p>The harbour ferries ran again on Tuesday after a strike over pay ended, the port "
             "authority in Lisbon said, and crews returned to the morning crossings.</p>")


def page(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}<title>Hostile page</title></head><body>{body}</body></html>".encode()


def gzip_bomb(inflated: int) -> bytes:
    """A gzip file that inflates to ``inflated`` bytes of spaces: one member of a mebibyte,
    repeated (gzip readers join members), so that it is built in no time."""
    member = gzip.compress(b"<html><body>" + b" " * (MB - 12), compresslevel=9)
    return member * (inflated // MB)


def warc(records: list[tuple[str, bytes]]) -> bytes:
    """A gzipped WARC file of HTTP 200 HTML responses, one gzip member per record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, body in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                      http_headers=headers))
    return out.getvalue()


def build(folder: Path) -> dict[str, str]:
    """Writes the hostile files (and links) into ``folder``; returns file name → what it is."""
    made: dict[str, str] = {}

    def write(name: str, data: bytes, what: str) -> None:
        (folder / name).write_bytes(data)
        made[name] = what

    write("bomb.html.gz", gzip_bomb(2 << 30), "2 MB gzip that inflates to 2 GiB")
    write("bomb.jsonl.gz", gzip_bomb(512 * MB), "JSONL gzip inflating to one 512 MiB line")
    write("big.html", page(PARAGRAPH * (50 * MB // len(PARAGRAPH))), "a 50 MB page")
    write("million-p.html", page("<p>ab</p>" * 1_000_000), "a page of a million <p> (9 MB)")
    write("two-million-p.html", page("<p>a</p>" * 2_400_000), "2.4 million <p> in 19 MB, under the size cap")
    wide = PARAGRAPH.replace("</p>", " The ferries carry commuters from Barreiro and Seixal.</p>")
    write("wide-text.html", page(wide * (19 * MB // len(wide))), "19 MB of text in 94,000 <p>")
    write("long-text.html", page("<p>" + "ferry crews strike over pay " * (19 * MB // 28) + "</p>"),
          "19 MB of text in one <p>")
    (folder / "most").mkdir()
    for n in range(4):  # the largest pages the limits let through, enough for both workers at once
        write(f"most/elements-{n}.html", page(f"<p>{n}</p>" + "<p>ab</p>" * 49_900), "49,900 <p>")
        write(f"most/mixed-{n}.html", page(f"<p>{n}</p>" + "<p>Ferries ran again. </p>" * 49_000),
              "49,000 <p> holding 930,000 characters")
        write(f"most/text-{n}.html", page(f"<p>{n}</p><p>" + "ferry crews strike over pay " * 35_000 + "</p>"),
              "980,000 characters in one <p>")
    write("deep.html", page("<div>" * 100_000 + PARAGRAPH * 3 + "</div>" * 100_000), "100,000-deep nesting")
    write("attributes.html", page('<p ' + " ".join(f'a{i}="x"' for i in range(1_000_000)) + '>x</p>'
                                  + PARAGRAPH * 3), "one element with a million attributes")
    write("nul.html", page(PARAGRAPH.replace("ferries", "fer\0ries") * 200), "NUL bytes in the text")
    write("utf16-lie.html", page(PARAGRAPH * 3, '<meta charset="utf-16">'), "declares UTF-16, is ASCII")
    write("comment.html", page(PARAGRAPH + "<!-- never closed " + PARAGRAPH * 3), "unterminated comment")
    write("invalid-utf8.html", page(PARAGRAPH * 3).replace(b"Lisbon", b"Lisb\xc3\x28n\x81\x8d"),
          "invalid UTF-8 (and not Windows-1252 either)")
    write("binary.html", os.urandom(1 << 20), "1 MB of random bytes")
    write("empty.html", b"", "empty file")
    whole = gzip.compress(page(PARAGRAPH * 20))
    write("truncated.html.gz", whole[: len(whole) // 2], "gzip cut in half")
    records = [(f"https://news.example/story-{i}", page(PARAGRAPH * 5).replace(b"Tuesday", f"day {i}".encode()))
               for i in range(3)]
    archive = warc(records)
    write("truncated.warc.gz", archive[: len(archive) * 5 // 6], "3 records, cut inside the third")
    write("huge-record.warc.gz", warc([("https://news.example/huge", page(PARAGRAPH * (25 * MB // len(PARAGRAPH)))),
                                       ("https://news.example/after", page(PARAGRAPH * 4))]),
          "a 25 MB record, then a normal one")
    lines = [
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"url": "https://wire.example/1", "title": "Ferries return", "text": PARAGRAPH[3:-4] * 3,
                    "published": "not a date"}),
        json.dumps({"url": "https://wire.example/2", "title": "Ferries return again", "text": PARAGRAPH[3:-4] * 3,
                    "published": 99999}),
        json.dumps({"url": "https://wire.example/3", "title": "Ferry " * 200_000, "text": PARAGRAPH[3:-4] * 3}),
        json.dumps({"url": "https://wire.example/4", "title": "Long", "text": "word " * (5 * MB)}),
    ]
    write("records.jsonl", ("\n".join(lines) + "\n").encode(), "bad lines, impossible dates, 1 MB title, 25 MB line")
    write("long-line.jsonl", b'{"text": "' + b"x" * (30 * MB) + b'"}\n' + json.dumps(
        {"url": "https://wire.example/5", "title": "After the long line", "text": PARAGRAPH[3:-4] * 3}).encode()
        + b"\n", "a 30 MB line, then a normal record")
    os.symlink("loop-b.html", folder / "loop-a.html")
    os.symlink("loop-a.html", folder / "loop-b.html")
    made["loop-a.html"] = "symbolic link loop (with loop-b.html)"
    os.symlink(".", folder / "up")
    made["up"] = "a link to its own folder"
    locked = folder / "locked"
    locked.mkdir()
    shutil.copy(ROOT / "corpus" / "2019-04-15-notre-dame-cathedral-fire.html", locked / "story.html")
    locked.chmod(0)
    made["locked"] = "a folder no one may read" + (" (root reads it anyway)" if os.geteuid() == 0 else "")
    return made


def run_index(folder: Path, index: Path) -> tuple[subprocess.CompletedProcess, float, int, int, int]:
    """Runs `news-search index` on the folder; returns it with the wall time and the peaks of the
    tree's RSS summed, of its largest process's RSS and of its PSS summed."""
    command = [sys.executable, "-m", "search", "index", str(folder), "--index", str(index)]
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err)
        peaks = wait_watching_memory(process, 0.05)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())
    return result, seconds, peaks.rss, peaks.largest, peaks.pss


def outcomes(made: dict[str, str], stderr: str, folder: Path) -> list[tuple[str, str, str]]:
    """(file, what it is, what became of it) from the run's failure and warning lines."""
    lines: dict[str, list[str]] = {}
    for line in stderr.splitlines():
        match = re.match(r"\s+(failed|warning): (.+?): (.*)$", line)
        if match and match.group(2).startswith(str(folder)):
            name = match.group(2)[len(str(folder)) + 1:]
            lines.setdefault(name.split("#")[0], []).append(
                f"{match.group(1)}{'' if '#' not in name else ' #' + name.split('#')[1]}: {match.group(3)}")
    return [(name, what, "; ".join(lines.get(name, ["indexed"]))) for name, what in made.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build the folder here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch) / "hostile"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        made = build(folder)
        normal = sorted((ROOT / "corpus").glob("*.html"))
        (folder / "normal").mkdir()
        for path in normal:
            shutil.copy(path, folder / "normal" / path.name)
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
                   and os.access(p, os.R_OK))
        print(f"Built {len(made)} hostile files ({size / MB:,.0f} MB on disk) and {len(normal)} normal "
              f"articles in {time.perf_counter() - started:.1f} s")
        result, seconds, peak_sum, peak_one, peak_pss = run_index(folder, Path(scratch) / "index")
        (folder / "locked").chmod(0o755)
        summary = next((line for line in result.stdout.splitlines() if line.startswith("Indexed")), result.stdout)
        normal_failed = [line for line in result.stderr.splitlines() if "/normal/" in line]
        print(f"news-search index: exit {result.returncode}, {seconds:.1f} s, {summary}")
        print(f"Normal articles: {len(normal) - len(normal_failed)} of {len(normal)} indexed")
        verdict = "met" if peak_sum / MB < TARGET_MB and not normal_failed else "NOT met"
        print(f"Peak RSS, process tree: {peak_sum / MB:,.0f} MB (largest process {peak_one / MB:,.0f} MB); "
              f"target < {TARGET_MB:,} MB: {verdict}")
        print(f"Peak PSS, process tree: {peak_pss / MB:,.0f} MB (pages shared by the workers counted once)")
        print()
        width = max(len(name) for name in made)
        for name, what, outcome in outcomes(made, result.stderr, folder):
            print(f"{name:<{width}}  {what}\n{'':<{width}}  → {outcome}")
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
