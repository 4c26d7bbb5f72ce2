"""Fetch throughput against a local HTTP server: N pages from one feed.

Usage: python bench/fetch.py [PAGES]   (default 200)

Starts a server on 127.0.0.1 serving one RSS feed with PAGES entries, each a
distinct ~2 KB article page, runs brief.fetch.fetch with no per-host delay
(the delay would otherwise dominate: 1 s a page by default), then again on the
same inbox (everything already seen). Prints pages/s for both runs and how the
time goes to trafilatura's extraction.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from brief.config import Settings
from brief.fetch import fetch


def article(n: int) -> bytes:
    paras = "".join(
        f"<p>Item {n}.{k}: the district council said on day {n} that repairs to road {n * 7 + k} would take "
        f"{k + 2} weeks, and that traffic would move to route {n + k} while engineers inspect the supports.</p>"
        for k in range(6)
    )
    return (
        f"<!doctype html><html><head><title>Report {n}</title><meta property='og:site_name' content='Bench Daily'>"
        f"<meta property='article:published_time' content='2024-03-04T08:00:00Z'></head><body>"
        f"<nav>Home World Sport</nav><article><h1>Report {n}</h1>{paras}</article></body></html>"
    ).encode()


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 200

    class Handle(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/feed.xml":
                items = "".join(
                    f"<item><title>Report {n}</title><link>{base}/p/{n}.html</link>"
                    f"<pubDate>Mon, 04 Mar 2024 09:00:00 GMT</pubDate></item>"
                    for n in range(pages)
                )
                body, kind = f"<rss version='2.0'><channel><title>Bench</title>{items}</channel></rss>".encode(), "application/rss+xml"
            elif self.path.startswith("/p/"):
                body, kind = article(int(self.path[3:].split(".")[0])), "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    httpd.daemon_threads = True
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    settings = Settings.load(env={}, fetch_per_host_delay_s=0.0)
    inbox = Path(tempfile.mkdtemp()) / "inbox"
    try:
        import trafilatura  # imported first so its import time is not counted

        start = time.perf_counter()
        report = fetch([f"{base}/feed.xml"], inbox, settings)
        took = time.perf_counter() - start
        print(f"first run: {len(report.new)} new of {pages} pages in {took:.1f} s = {pages / took:.1f} pages/s "
              f"({len(report.failures)} failed)")  # fmt: skip
        sample = [article(n) for n in range(min(pages, 50))]
        start = time.perf_counter()
        for html in sample:
            trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
        each = (time.perf_counter() - start) / len(sample)
        print(f"  trafilatura alone: {each * 1000:.1f} ms a page, {each * pages / took:.0%} of the first run")
        start = time.perf_counter()
        again = fetch([f"{base}/feed.xml"], inbox, settings)
        took = time.perf_counter() - start
        print(f"second run: {len(again.seen)} already seen in {took:.2f} s = {pages / took:.0f} pages/s")
    finally:
        httpd.shutdown()
        httpd.server_close()


if __name__ == "__main__":
    main()
