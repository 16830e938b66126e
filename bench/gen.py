#!/usr/bin/env python3
"""Deterministic benchmark inputs for sfmc-scan (same seed -> same bytes).

  gen.py tree DIR [--size 1G] [--seed 1]
      a tree of source-like files (lognormal sizes, median ~6 KiB, a few
      multi-MiB files), 100 files per directory, a few planted tokens.
  gen.py history REPO [--commits 30000] [--files 3000] [--seed 1]
      a git repository built with `git fast-import` and repacked into one
      pack: every commit edits a few files (realistic churn), some commits
      add a token that a later commit removes.
  gen.py staged REPO [--files 100000] [--seed 1]
      a repository of small files (10 per directory, 1,000 directories of
      100) in one commit, checked out, with one file changed and staged
      with a token in it: the pre-commit case of `sfmc-scan staged`.

Tokens are computed here (CRC-32 of "SFMC_" + body, like `sfmc-scan
generate`) from the seeded PRNG, so the planted secrets are reproducible.
Both commands print what they planted on stderr.
"""
import argparse
import os
import random
import subprocess
import sys
import zlib

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
WORDS = ("static const int return if else for while struct char size_t buffer length offset "
         "value result error NULL config client secret token request response SIZE_MAX "
         "SSL_CTX self def import from class function var let apiKey Salesforce Marketing "
         "endpoint auth_url json parse http https sfmc SFMC_CHUNK_SIZE marketing cloud "
         "subdomain rest soap journey data_extension payload headers timeout retry").split()
PUNCT = ["=", "==", "(", ")", "{", "}", ";", ",", "->", ".", "0", "1", "42", '"x"', "//", "#"]


def token(rng):
    body = "SFMC_" + "".join(rng.choice(ALNUM) for _ in range(51))
    return body + "%08x" % (zlib.crc32(body.encode()) & 0xFFFFFFFF)


def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(s[:-1]) * mult[s[-1].upper()]) if s[-1].upper() in mult else int(s)


def make_lines(rng, n):
    """A pool of source-like lines (indent, identifiers, punctuation)."""
    vocab = WORDS + PUNCT
    lines = []
    for _ in range(n):
        k = rng.randint(0, 12)
        ind = "    " * rng.randint(0, 3)
        lines.append((ind + " ".join(rng.choice(vocab) for _ in range(k)) + "\n").encode())
    return lines


def file_size(rng):
    if rng.random() < 0.002:
        return rng.randint(1 << 20, 4 << 20)  # generated data, vendored bundles
    return max(64, min(int(rng.lognormvariate(8.7, 1.2)), 512 << 10))


def text_of(rng, pool, size):
    out, n = [], 0
    while n < size:
        ln = pool[rng.randrange(len(pool))]
        out.append(ln)
        n += len(ln)
    return out


def cmd_tree(a):
    rng = random.Random(a.seed)
    pool = make_lines(rng, 200000)
    blob = b"".join(pool)  # files are slices of this at random line starts
    starts = [0]
    for ln in pool:
        starts.append(starts[-1] + len(ln))
    total, i, planted = 0, 0, []
    target = parse_size(a.size)
    while total < target:
        size = file_size(rng)
        s = starts[rng.randrange(len(pool) // 2)]
        data = blob[s:s + size]
        while len(data) < size:
            data += blob[: size - len(data)]
        if rng.random() < 0.0005:
            t = token(rng)
            data += ("client_secret = \"%s\"\n" % t).encode()
            planted.append((i, t))
        d = os.path.join(a.dir, "d%03d" % (i // 10000), "d%02d" % (i // 100 % 100))
        if i % 100 == 0:
            os.makedirs(d, exist_ok=True)
        ext = (".c", ".py", ".js", ".java", ".go", ".json", ".md", ".yaml")[i % 8]
        with open(os.path.join(d, "f%05d%s" % (i, ext)), "wb") as f:
            f.write(data)
        total += len(data)
        i += 1
    print("tree: %d files, %d bytes, %d planted tokens" % (i, total, len(planted)), file=sys.stderr)
    for n, t in planted:
        print("  file %d: %s..." % (n, t[:12]), file=sys.stderr)


def edit(rng, pool, lines):
    """Replaces, inserts or deletes a few lines (typical commit churn)."""
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(lines) + 1)
        op = rng.random()
        if op < 0.5 and at < len(lines):
            lines[at] = pool[rng.randrange(len(pool))]
        elif op < 0.8 or len(lines) < 4:
            lines[at:at] = text_of(rng, pool, rng.randint(40, 800))
        elif at < len(lines):
            del lines[at:at + rng.randint(1, 5)]


def cmd_history(a):
    rng = random.Random(a.seed)
    pool = make_lines(rng, 200000)
    os.makedirs(a.repo, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", a.repo], check=True)
    fi = subprocess.Popen(["git", "-C", a.repo, "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE)
    w = fi.stdin.write
    files = {}
    for i in range(a.files):
        files["src/m%02d/f%05d.%s" % (i % 50, i, ("c", "py", "js", "go", "java")[i % 5])] = \
            text_of(rng, pool, file_size(rng))
    paths = sorted(files)
    planted, pending, inflated = [], [], 0
    when = 1500000000
    for c in range(a.commits):
        changed = paths if c == 0 else rng.sample(paths, rng.randint(1, 5))
        for p in changed:
            if c:
                edit(rng, pool, files[p])
        if c and rng.random() < 0.001:  # leak a secret, remove it a few commits later
            p = rng.choice(paths)
            t = token(rng)
            files[p].insert(rng.randrange(len(files[p]) + 1), ("secret = \"%s\"\n" % t).encode())
            planted.append((c, p, t))
            pending.append((c + rng.randint(1, 50), p, t))
            changed = list(changed) + [p]
        for due, p, t in [x for x in pending if x[0] <= c]:
            files[p] = [ln for ln in files[p] if t.encode() not in ln]
            pending.remove((due, p, t))
            changed = list(changed) + [p]
        when += rng.randint(60, 20000)
        msg = b"change %d\n" % c
        w(b"commit refs/heads/main\n")
        w(b"author Bench <bench@example.com> %d +0000\n" % when)
        w(b"committer Bench <bench@example.com> %d +0000\n" % when)
        w(b"data %d\n%s" % (len(msg), msg))
        for p in sorted(set(changed)):
            data = b"".join(files[p])
            inflated += len(data)
            w(b"M 100644 inline %s\ndata %d\n" % (p.encode(), len(data)))
            w(data)
            w(b"\n")
    w(b"done\n")
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    repack = ["git", "-C", a.repo, "repack", "-adq"] + (["-f"] if a.full_repack else [])
    subprocess.run(repack, check=True)
    print("history: %d commits, %d blob bytes written, %d planted tokens" % (a.commits, inflated, len(planted)),
          file=sys.stderr)
    for c, p, t in planted:
        print("  commit %d %s: %s..." % (c, p, t[:12]), file=sys.stderr)


def cmd_staged(a):
    rng = random.Random(a.seed)
    pool = make_lines(rng, 20000)
    git = ["git", "-C", a.repo]
    subprocess.run(["git", "init", "-q", "-b", "main", a.repo], check=True)
    fi = subprocess.Popen(git + ["fast-import", "--quiet", "--done"], stdin=subprocess.PIPE)
    w = fi.stdin.write
    w(b"commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata 5\nfiles\n")
    for i in range(a.files):
        data = b"".join(text_of(rng, pool, rng.randint(40, 400)))
        w(b"M 100644 inline d%03d/e%02d/f%06d.txt\ndata %d\n%s\n" % (i // 1000, i // 10 % 100, i, len(data), data))
    w(b"\ndone\n")
    fi.stdin.close()
    if fi.wait():
        sys.exit("git fast-import failed")
    subprocess.run(git + ["reset", "-q", "--hard", "main"], check=True)  # files, and an index with its cache-tree
    i = a.files // 2
    path = "d%03d/e%02d/f%06d.txt" % (i // 1000, i // 10 % 100, i)
    t = token(rng)
    with open(os.path.join(a.repo, path), "a") as f:
        f.write("client_secret = \"%s\"\n" % t)
    subprocess.run(git + ["add", path], check=True)
    print("staged: %d files, %s staged with %s..." % (a.files, path, t[:12]), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tree")
    t.add_argument("dir")
    t.add_argument("--size", default="1G")
    t.add_argument("--seed", type=int, default=1)
    h = sub.add_parser("history")
    h.add_argument("repo")
    h.add_argument("--commits", type=int, default=30000)
    h.add_argument("--files", type=int, default=3000)
    h.add_argument("--seed", type=int, default=1)
    h.add_argument("--full-repack", action="store_true", help="git repack -f (slow; recomputes deltas)")
    s = sub.add_parser("staged")
    s.add_argument("repo")
    s.add_argument("--files", type=int, default=100000)
    s.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    {"tree": cmd_tree, "history": cmd_history, "staged": cmd_staged}[a.cmd](a)


if __name__ == "__main__":
    main()
