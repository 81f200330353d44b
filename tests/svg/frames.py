#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Parses a pd-svg SVG from stdin (failing on malformed XML) and prints one
# line per frame: x width y fill, name, label, tooltip details; then the
# scripts and the title, so goldens show geometry and colours readably.
import sys
import xml.etree.ElementTree as ET

NS = '{http://www.w3.org/2000/svg}'
data = sys.stdin.buffer.read()
root = ET.fromstring(data)
print('svg', root.get('width'), root.get('height'))
for t in root.iter(NS + 'text'):
    if t.get('id') in ('title', 'subtitle', 'empty'):
        print(t.get('id'), repr(t.text))
frames = root.find(NS + "g[@id='frames']")
for g in frames:
    title = g.find(NS + 'title').text
    rect = g.find(NS + 'rect')
    text = g.find(NS + 'text')
    name, _, info = title.partition('\n')
    print(rect.get('x'), rect.get('width'), rect.get('y'), rect.get('fill'),
          repr(name), repr(text.text if text is not None else None),
          info.replace('\n', ' / '))
scripts = list(root.iter(NS + 'script'))
print('scripts', len(scripts), 'elements', sum(1 for _ in root.iter()))
