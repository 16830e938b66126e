#!/usr/bin/env python3
"""Lists C functions longer than a limit (default 80 lines, signature to
closing brace) that the line just before them does not excuse with a comment
containing "long:" and the reason. The project's style makes functions easy to
find without parsing: the body's braces stand alone in column 0.
Usage: fnsize.py [--max N] FILE...   Exit status 1 when any is found."""
import re
import sys


def functions(lines):
    """Yields (first line index, last line index, name) of each definition."""
    i = 0
    while i < len(lines):
        if lines[i].rstrip() != "{":
            i += 1
            continue
        start = i - 1  # the signature: back to its line that starts in column 0
        while start > 0 and lines[start][:1] in (" ", "\t"):
            start -= 1
        end = i + 1
        while end < len(lines) and lines[end].rstrip() != "}":
            end += 1
        sig = " ".join(lines[start:i])
        m = re.search(r"(\w+)\s*\(", sig)
        yield start, end, m.group(1) if m else "?"
        i = end + 1


def main(argv):
    limit = 80
    if len(argv) >= 2 and argv[0] == "--max":
        limit = int(argv[1])
        argv = argv[2:]
    bad = 0
    for path in argv:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        for start, end, name in functions(lines):
            n = end - start + 1
            if n <= limit:
                continue
            if start > 0 and "long:" in lines[start - 1]:
                continue
            print(f"{path}:{start + 1}: {name}() is {n} lines (over {limit}); split it, "
                  f"or say why not in a 'long:' comment on the line before it")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
