#!/usr/bin/env python3
"""Print the module-level import graph of the crate and report its cycles.

Usage: python3 scripts/module_graph.py [--src DIR] [--tests] [--evidence]

Scans every `src/**/*.rs` file for the paths it uses: `use` declarations
(`crate::`, `super::`, `self::` and child-module paths, braces expanded) and
paths written inline in code (`crate::io::write_lines(..)`, `super::x::Y`).
Comments, string literals and (unless --tests) `#[cfg(test)]` items are
ignored. A path is resolved to the file that defines the item, following
`pub use` re-exports, so `crate::io::ReaderBuilder` counts as a use of
`io/builder.rs`, not of `io/mod.rs`; a module's own re-exports of its
descendants (its public facade) are not edges.

Two granularities are printed:

* top-level modules (`io`, `model`, `journey`, ...), with the layering the
  crate keeps (a lower layer never imports a higher one) checked;
* files inside `io/`, `assemble/` and `model/markov/`.

Each graph lists its edges, then its cycles (strongly connected components
of more than one node) with the edges inside them, or `cycles: none`.
The exit status is 1 when there is a cycle or a layering violation.

Python 3 standard library only.
"""

import argparse
import os
import re
import sys
from collections import defaultdict

# Top-level layers, lowest first: a module may import only modules of its own
# layer or of lower ones (and its own layer must stay acyclic).
LAYERS = [
    ("data types", {"error", "numeric", "channel", "journey", "attribution"}),
    ("io", {"io"}),
    ("assemble", {"assemble", "build"}),
    ("model", {"model"}),
    ("compare", {"compare"}),
    ("truth", {"truth"}),
    ("simulate", {"simulate"}),
]

# Module subtrees whose files are shown as separate nodes.
DETAILED = [("io",), ("assemble",), ("build",), ("model", "markov")]


# --------------------------------------------------------------------------
# Lexing: blank out comments and literals, keep offsets and line numbers.


def strip(text):
    """`text` with comments and string/char literals replaced by spaces
    (newlines kept, so offsets and line numbers are unchanged)."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif re.match(r'(?<![\w])b?r#*"', text[i:i + 64]) and (
            i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
        ):
            m = re.match(r'b?r(#*)"', text[i:])
            close = '"' + m.group(1)
            j = text.find(close, i + m.end())
            j = n if j < 0 else j + len(close)
            blank(i, j)
            i = j
        elif c == '"' or (c == "b" and text.startswith('b"', i)
                          and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))):
            j = i + (2 if c == "b" else 1)
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            blank(i, j + 1)
            i = j + 1
        elif c == "'":
            # A char literal ('a', '\n', '\u{..}') or a lifetime ('a).
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if m:
                blank(i, i + m.end())
                i += m.end()
            else:
                i += 1
        else:
            i += 1
    return "".join(out)


def matching_brace(text, open_at):
    """The offset just after the brace that closes the one at `open_at`."""
    depth = 0
    for k in range(open_at, len(text)):
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if depth == 0:
                return k + 1
    return len(text)


def drop_test_items(text):
    """Blank out every item marked `#[cfg(test)]`."""
    out = text
    for m in reversed(list(re.finditer(r"#\[cfg\(test\)\]", text))):
        k = m.end()
        semi = out.find(";", k)
        brace = out.find("{", k)
        if brace >= 0 and (semi < 0 or brace < semi):
            end = matching_brace(out, brace)
        else:
            end = semi + 1 if semi >= 0 else len(out)
        out = out[:m.start()] + re.sub(r"[^\n]", " ", out[m.start():end]) + out[end:]
    return out


def inline_modules(text):
    """(start, end, name) of each inline `mod name { ... }` block."""
    spans = []
    for m in re.finditer(r"\bmod\s+(\w+)\s*\{", text):
        spans.append((m.end() - 1, matching_brace(text, m.end() - 1), m.group(1)))
    return spans


# --------------------------------------------------------------------------
# Use trees.


def use_paths(tree):
    """(segments, alias) for each leaf of a use tree."""
    results = []

    def split_top(s):
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
                continue
            depth += ch == "{"
            depth -= ch == "}"
            cur += ch
        if cur.strip():
            parts.append(cur)
        return parts

    def walk(prefix, s):
        s = s.strip()
        if not s:
            return
        if s.endswith("}"):
            b = s.find("{")
            head = s[:b].strip().rstrip(":").strip()
            segs = prefix + [x.strip() for x in head.split("::") if x.strip()]
            for part in split_top(s[b + 1:-1]):
                walk(segs, part)
            return
        alias = None
        m = re.match(r"^(.*?)\s+as\s+(\w+)$", s, re.S)
        if m:
            s, alias = m.group(1), m.group(2)
        results.append((prefix + [x.strip() for x in s.split("::") if x.strip()], alias))

    walk([], tree)
    return results


# --------------------------------------------------------------------------
# The crate.


class Crate:
    def __init__(self, src, tests):
        self.src = src
        self.files = {}  # module path (tuple) -> relative file name
        self.code = {}  # module path -> stripped text
        self.raw_lines = {}
        for root, _, names in os.walk(src):
            for name in names:
                if not name.endswith(".rs"):
                    continue
                rel = os.path.relpath(os.path.join(root, name), src)
                parts = rel[:-3].split(os.sep)
                if parts[-1] in ("mod", "lib", "main"):
                    parts = parts[:-1]
                path = tuple(parts)
                with open(os.path.join(src, rel), encoding="utf-8") as f:
                    text = f.read()
                code = strip(text)
                if not tests:
                    code = drop_test_items(code)
                self.files[path] = rel
                self.code[path] = code
        self.modules = set(self.files)
        self.reexports = defaultdict(dict)  # module -> name -> segments
        self.globs = defaultdict(list)
        self.uses = defaultdict(list)  # module -> [(segments, line, is_pub, inline)]
        for path, code in self.code.items():
            self._scan(path, code)

    def _scan(self, path, code):
        spans = inline_modules(code)

        def inline_at(pos):
            return tuple(name for (a, b, name) in spans if a < pos < b)

        def line_of(pos):
            return code.count("\n", 0, pos) + 1

        used = []
        for m in re.finditer(r"(?:\bpub(?:\s*\([^)]*\))?\s+)?\buse\s+([^;]+);", code):
            is_pub = m.group(0).lstrip().startswith("pub")
            inline = inline_at(m.start())
            for segs, alias in use_paths(m.group(1)):
                if is_pub and not inline and segs:
                    name = alias or segs[-1]
                    if name == "*":
                        self.globs[path].append(segs[:-1])
                    else:
                        self.reexports[path][name] = segs
                self.uses[path].append((segs, line_of(m.start()), is_pub, inline))
            used.append((m.start(), m.end()))
        for m in re.finditer(r"(?<![\w:])(\$crate|crate|super|self)((?:\s*::\s*\w+)+)", code):
            if any(a <= m.start() < b for a, b in used):
                continue
            segs = [m.group(1)] + [s.strip() for s in m.group(2).split("::") if s.strip()]
            self.uses[path].append((segs, line_of(m.start()), False, inline_at(m.start())))

    def resolve(self, base, segs, depth=0):
        """The module (file) that defines what `segs`, written in module
        `base`, names; None for another crate or an unknown path."""
        if not segs or depth > 16:
            return None
        head, rest = segs[0], list(segs[1:])
        if head in ("crate", "$crate"):
            cur = ()
        elif head == "super":
            cur = base[:-1]
            while rest and rest[0] == "super":
                cur, rest = cur[:-1], rest[1:]
        elif head == "self":
            cur = base
        elif base + (head,) in self.modules:
            cur, rest = base, [head] + rest
        elif head in self.reexports.get(base, {}):
            return self.resolve(base, self.reexports[base][head] + rest, depth + 1)
        else:
            return None
        for i, seg in enumerate(rest):
            if seg in ("*", "self"):
                break
            if cur + (seg,) in self.modules:
                cur = cur + (seg,)
                continue
            target = self.reexports.get(cur, {}).get(seg)
            if target is not None:
                found = self.resolve(cur, target + rest[i + 1:], depth + 1)
                return found if found is not None else cur
            break
        return cur

    def edges(self):
        """{(from, to): [(file, line)]} between module files."""
        found = defaultdict(list)
        for path, uses in self.uses.items():
            for segs, line, is_pub, inline in uses:
                base = path + inline
                # `super` inside an inline module refers to the module above it.
                target = self.resolve(base, segs) if inline else self.resolve(path, segs)
                if target is None or target == path:
                    continue
                if target not in self.modules:
                    # An inline module of a file: the file.
                    while target and target not in self.modules:
                        target = target[:-1]
                    if target == path:
                        continue
                # A module's re-export of its own descendant is its facade.
                if is_pub and target[: len(path)] == path:
                    continue
                found[(path, target)].append((self.files[path], line))
        return found


# --------------------------------------------------------------------------
# Graphs.


def top_node(path):
    return path[0] if path else "lib"


def node_label(crate, path):
    rel = crate.files[path]
    return rel[:-3].replace(os.sep, "/")


def sccs(nodes, adj):
    """Tarjan's strongly connected components."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(adj.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def report(title, edges, evidence):
    """Prints a graph and its cycles; returns the number of cycles."""
    adj = defaultdict(set)
    nodes = set()
    for (a, b) in edges:
        adj[a].add(b)
        nodes.update((a, b))
    print(f"## {title}")
    for a in sorted(adj):
        print(f"{a} -> {', '.join(sorted(adj[a]))}")
    cycles = sccs(nodes, adj)
    if not cycles:
        print("cycles: none")
    for comp in cycles:
        print(f"cycle: {' <-> '.join(comp)}")
        members = set(comp)
        for (a, b), where in sorted(edges.items()):
            if a in members and b in members:
                shown = ", ".join(f"{f}:{l}" for f, l in sorted(set(where))[:3])
                more = len(set(where)) - 3
                extra = f" (+{more})" if more > 0 else ""
                print(f"    {a} -> {b}" + (f"   [{shown}{extra}]" if evidence else ""))
    print()
    return len(cycles)


def layer_of(module):
    for i, (_, names) in enumerate(LAYERS):
        if module in names:
            return i
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--src", default=os.path.join(here, "..", "src"))
    parser.add_argument("--tests", action="store_true", help="include #[cfg(test)] items")
    parser.add_argument("--evidence", action="store_true", help="show where cycle edges are")
    args = parser.parse_args()

    crate = Crate(args.src, args.tests)
    edges = crate.edges()
    problems = 0

    top = defaultdict(list)
    for (a, b), where in edges.items():
        ta, tb = top_node(a), top_node(b)
        if ta != tb and ta != "lib":
            top[(ta, tb)].extend(where)
    problems += report("top-level modules", top, args.evidence)

    back = []
    for (a, b), where in sorted(top.items()):
        la, lb = layer_of(a), layer_of(b)
        if la is not None and lb is not None and lb > la:
            back.append((a, b, where))
    print("## layering (lowest first): " + " <- ".join(name for name, _ in LAYERS))
    if not back:
        print("back edges: none")
    for a, b, where in back:
        shown = ", ".join(f"{f}:{l}" for f, l in sorted(set(where))[:3])
        print(f"back edge: {a} -> {b}" + (f"   [{shown}]" if args.evidence else ""))
    print()
    problems += len(back)

    for prefix in DETAILED:
        if prefix not in crate.modules:
            continue
        inner = defaultdict(list)
        for (a, b), where in edges.items():
            if a[: len(prefix)] == prefix and b[: len(prefix)] == prefix:
                inner[(node_label(crate, a), node_label(crate, b))].extend(where)
        problems += report(f"files of {'/'.join(prefix)}/", inner, args.evidence)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
