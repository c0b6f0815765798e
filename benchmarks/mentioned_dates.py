"""Dates mentioned in the text, resolved against the publication date, on the sample article
(``../shared/seed``, published Friday 2020-08-14) through the product's whole extraction path.

    python benchmarks/mentioned_dates.py

Every weekday mention is printed with the day it resolves to and the day a reader means (checked
by hand against the story: the election was on Sunday 9 August, the internet cut on Monday 10th,
the statement on Wednesday 12th, the minister spoke on Thursday night 13th, "Friday" is the day
of publication); any other date found is a false date.
"""

from __future__ import annotations

import re
import time
from datetime import date

from common import ROOT, require

from search.ingest import extract_article
from search.ingest.mentions import WEEKDAYS, date_mentions, mentioned_dates

MEANT = {"sunday": date(2020, 8, 9), "monday": date(2020, 8, 10), "wednesday": date(2020, 8, 12),
         "thursday": date(2020, 8, 13), "friday": date(2020, 8, 14)}


def main() -> None:
    page = require(ROOT.parent / "shared" / "seed" / "belarus-protesters-release.html")
    article = extract_article(page.read_bytes(), origin=str(page.name))
    print(f"Sample article: published {article.published}, {len(article.text.split())} words")
    right = total = 0
    resolved = {start: day for start, _, day in date_mentions(article.text, article.published)}
    for match in re.finditer(r"\b(?:(?:last|next|on|since)\s+)?(" + "|".join(w.title() for w in WEEKDAYS) + r")\b",
                             article.text):
        total += 1
        found = resolved.get(match.start())
        sentence = article.text[max(0, match.start() - 40):match.end() + 15].replace("\n", " ")
        meant = MEANT[match.group(1).lower()]
        right += found == meant
        print(f"  {'ok ' if found == meant else 'BAD'} {match.group(1):<9} → {found}  (meant {meant})   …{sentence}…")
    start = time.perf_counter()
    days = mentioned_dates(article.text, article.published)
    milliseconds = 1000 * (time.perf_counter() - start)
    false = [d for d in days if d not in MEANT.values()]
    print(f"weekday mentions resolved correctly: {right}/{total}; dates found in the article: "
          f"{', '.join(map(str, days))}; false dates: {len(false)}; {milliseconds:.2f} ms")


if __name__ == "__main__":
    main()
