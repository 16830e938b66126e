"""Writes a git fast-import stream for the e2e tests: commits a minute
apart with inline files, on stdout once write() is called."""
import sys

_time = 1600000000
_out = []


def commit(mark, ref, parents, files, dels=()):
    """Commit :mark on ref with parents (marks; the first is 'from'), adding
    files [(path, body)] and deleting the paths in dels."""
    global _time
    _time += 60
    _out.append(f"commit {ref}\nmark :{mark}\ncommitter T <t@e> {_time} +0000\ndata 2\nc\n")
    if parents:
        _out.append(f"from :{parents[0]}\n")
        for p in parents[1:]:
            _out.append(f"merge :{p}\n")
    for path, body in files:
        data = body.encode()
        _out.append(f"M 100644 inline {path}\ndata {len(data)}\n{body}\n")
    for path in dels:
        _out.append(f"D {path}\n")
    _out.append("\n")


def write():
    sys.stdout.write("".join(_out))
