#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Loads a pd-svg flame graph in headless Chromium, runs a search and a zoom
# through the SVG's own script and checks the results; saves screenshots.
# usage: browser.py BUILDDIR SRCDIR
import os
import re
import shutil
import subprocess
import sys
import tempfile

build, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
chromium = os.environ.get('CHROMIUM') or shutil.which('chromium') \
    or shutil.which('chromium-browser')
if not chromium:
    print('skip: chromium not found (apt-get install chromium)')
    sys.exit(77)

folded = os.path.join(src, 'testdata', 'folded', 'browser.folded')
svg = subprocess.run([os.path.join(build, 'src', 'pd-svg'), folded],
                     check=True, capture_output=True).stdout.decode()

# Runs after the SVG's script: search, then click "parse", and writes what
# it saw into a <text id="result"> element for --dump-dom.
height = re.search(r'height="(\d+)"', svg).group(1)
PROBE = '''<script type="text/ecmascript"><![CDATA[
(function () {
	var r = [], find = function (n) {
		return pd.frames.filter(function (f) { return f.name === n; })[0];
	};
	r.push("frames=" + pd.frames.length);
	r.push("search=" + pd.search("alloc").toFixed(2));
	r.push("highlighted=" + document.querySelectorAll("g.m").length);
	r.push("matched=" + document.getElementById("matched").textContent);
	var parse = find("parse");
	parse.r.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
	r.push("hover=" + (document.getElementById("details").textContent ===
		"Function: parse (50 samples, 50.00%)"));
	parse.r.dispatchEvent(new MouseEvent("click", {bubbles: true}));
	r.push("zoomed=" + (pd.zoomed() === parse));
	r.push("parse.width=" + parse.r.getAttribute("width"));
	r.push("lex.x=" + find("lex").r.getAttribute("x"));
	r.push("lex.width=" + find("lex").r.getAttribute("width"));
	r.push("run.hidden=" + find("run").g.classList.contains("h"));
	r.push("main.parent=" + find("main").g.classList.contains("p"));
	r.push("main.width=" + find("main").r.getAttribute("width"));
	window.dispatchEvent(new KeyboardEvent("keydown", {key: "Escape"}));
	r.push("esc.unzoomed=" + (pd.zoomed() === null));
	r.push("esc.cleared=" + (document.querySelectorAll("g.m").length === 0));
	r.push("esc.parse.width=" + parse.r.getAttribute("width"));
	pd.search("alloc");
	parse.r.dispatchEvent(new MouseEvent("click", {bubbles: true}));
	var t = document.createElementNS("http://www.w3.org/2000/svg", "text");
	t.setAttribute("id", "result");
	t.setAttribute("display", "none");
	t.textContent = r.join(" ");
	document.documentElement.appendChild(t);
})();
]]></script>
</svg>'''

EXPECT = {
    'frames': '10',
    # parse;alloc 20 + main;alloc 10 (holding alloc 10, counted once)
    # + run;alloc 5 = 35 of 100
    'search': '35.00',
    'highlighted': '4',
    'matched': 'Matched: 35.00%',
    'hover': 'true',
    'zoomed': 'true',
    'parse.width': '1180.00',
    # lex is 30 of parse's 50, after alloc's 20: x = 10 + 1180 * 20 / 50
    'lex.x': '482.00',
    'lex.width': '708.00',
    'run.hidden': 'true',
    'main.parent': 'true',
    'main.width': '1180.00',
    'esc.unzoomed': 'true',
    'esc.cleared': 'true',
    # parse is 50 of 100 samples
    'esc.parse.width': '590.00',
}

out = os.path.join(build, 'tests', 'svg-browser')
os.makedirs(out, exist_ok=True)
page = os.path.join(out, 'probe.svg')
with open(page, 'w') as f:
    f.write(svg.replace('</svg>\n', PROBE + '\n'))

fails = 0
with tempfile.TemporaryDirectory() as profile:
    base = [chromium, '--headless', '--no-sandbox', '--disable-gpu',
            '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--user-data-dir=' + profile,
            '--virtual-time-budget=5000']
    dom = subprocess.run(base + ['--dump-dom', 'file://' + page],
                         capture_output=True, timeout=120).stdout.decode()
    m = re.search(r'<text id="result"[^>]*>([^<]*)</text>', dom)
    if not m:
        print('no result in the DOM; the script did not run:')
        print(dom[-2000:])
        sys.exit(1)
    got = dict(kv.split('=', 1) for kv in
               re.findall(r'\S+=(?:Matched: \S+|\S+)', m.group(1)))
    for k, v in EXPECT.items():
        if got.get(k) != v:
            print(f'{k}: got {got.get(k)!r}, expected {v!r}')
            fails += 1
    png = os.path.join(out, 'zoom-search.png')
    subprocess.run(base + ['--screenshot=' + png,
                           '--hide-scrollbars',
                           '--window-size=1200,' + str(int(height) + 100), 'file://' + page],
                   capture_output=True, timeout=120)
    if not os.path.exists(png):
        print('no screenshot written')
        fails += 1
    else:
        print('screenshot:', png)
print('results:', m.group(1))
sys.exit(1 if fails else 0)
