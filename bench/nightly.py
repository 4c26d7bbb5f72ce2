"""Night 2 (incremental) against a from-scratch build of both nights' articles.

Usage: python bench/nightly.py real|fake

Night 1 is seeds/, night 2 adds tests/data/nightly/. Prints the seconds each
run took (model loading not counted) and what night 2 re-encoded.
"""

import datetime as dt
import pathlib
import shutil
import sys
import tempfile
import time

from brief import ingest, nightly, render
from brief.config import Settings
from brief.embed import HashingEmbedder
from brief.pipeline import Models, brief_from_articles
from brief.summarize import FirstFactsSummarizer
from brief.verify import ConstantJudge, Gate

kind = sys.argv[1]
root = pathlib.Path(tempfile.mkdtemp())
cfg = Settings(out_dir=root / "out")
def models():
    if kind == "real":
        return Models.load(cfg)
    e = HashingEmbedder(); return Models(e, FirstFactsSummarizer(), Gate(ConstantJudge(), e, 0.5), {})
inbox = root / "inbox"; inbox.mkdir()
for f in pathlib.Path("seeds").glob("*.txt"): shutil.copy(f, inbox)
m = models(); t = time.time(); r1 = nightly.run(inbox, cfg, dt.date(2015, 11, 17), m)
print(f"[{kind}] night 1 (seeds, nightly): {time.time()-t:.1f} s  {r1.summary}", flush=True)
for f in pathlib.Path("tests/data/nightly").glob("*.txt"): shutil.copy(f, inbox)
m = models(); t = time.time(); r2 = nightly.run(inbox, cfg, dt.date(2015, 11, 19), m)
print(f"[{kind}] night 2 (incremental): {time.time()-t:.1f} s  {r2.summary}; encoded {r2.encoded} texts", flush=True)
m = models(); t = time.time()
arts = ingest.load([inbox], cfg)
b = brief_from_articles(arts, cfg, date=dt.date(2015, 11, 19), models=m)
render.write_all(b, root / "scratch", None)
print(f"[{kind}] from scratch, both nights: {time.time()-t:.1f} s  ({len(b.topics)} topics)", flush=True)
