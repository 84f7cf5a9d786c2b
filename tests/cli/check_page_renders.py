#!/usr/bin/env python3
"""Opens pages fleetsim wrote (report.html, plan.html, sweep.html) in headless Chromium and checks
what the page's own render status says: it finished, no console error or warning, every chart drew
data marks, and no chart text reads NaN or Infinity. For real runs' pages; the unit test
report_browser_test does the same on synthetic data. Like it, a missing Chromium fails unless
FLEETSIM_SKIP_BROWSER=1; FLEETSIM_CHROMIUM names the browser.
Usage: check_page_renders.py PAGE.html [PAGE.html ...]"""
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MARKER = "FLEETSIM_REPORT_STATUS "


def chromium():
    named = os.environ.get("FLEETSIM_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def check(browser, page):
    if not os.path.isfile(page):
        return ["no such file"]
    problems = []
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
             "--no-first-run", "--window-size=1280,2000", "--user-data-dir=" + profile,
             "--virtual-time-budget=20000", "--dump-dom", "file://" + os.path.abspath(page)],
            capture_output=True, text=True, timeout=120)
    dom = run.stdout
    status = re.search(r'<pre id="fleetsim-status"[^>]*>' + MARKER + r"(.*?)</pre>", dom, re.S)
    if not status:
        return ["the page never wrote its render status (chromium exit %d)" % run.returncode]
    s = json.loads(html.unescape(status.group(1)))
    if not s.get("ready"):
        problems.append("not ready")
    problems += ["console error: " + e for e in s.get("errors", [])]
    problems += ["console warning: " + w for w in s.get("warnings", [])]
    if not s.get("charts"):
        problems.append("no charts")
    for c in s.get("charts", []):
        if not c.get("ok") or c.get("marks", 0) < 1 or c.get("rows", 0) < 1:
            problems.append("chart %s drew nothing: %s" % (c.get("id"), c))
    for text in re.findall(r"<text[^>]*>(.*?)</text>", dom, re.S):
        t = html.unescape(text)
        if "NaN" in t or "Infinity" in t:
            problems.append("chart text %r" % t)
    print("%s: %d charts, %d data marks%s" % (page, len(s.get("charts", [])),
          sum(c.get("marks", 0) for c in s.get("charts", [])), "" if not problems else ", PROBLEMS"))
    return problems


def main():
    if os.environ.get("FLEETSIM_SKIP_BROWSER") == "1":
        print("page checks skipped: FLEETSIM_SKIP_BROWSER=1")
        return 0
    browser = chromium()
    if not browser:
        sys.exit("chromium not found (install it with scripts/install-deps.sh --with-test-tools, "
                 "or set FLEETSIM_SKIP_BROWSER=1)")
    failed = False
    for page in sys.argv[1:]:
        for p in check(browser, page):
            print("  " + p)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
