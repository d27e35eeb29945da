"""What a failed job means for the deck: a problem at each slide line for a call or exec block, one at the
producer's code for a producer (naming every slide and producer that waited for it)."""
from __future__ import annotations

from .model import Ref
from .runner import Outcome
from .wire import Reply


def failure_problems(job, outcome: Outcome, jobs: dict, producers: dict | None, timeout: float,
                     verbose: bool) -> list[tuple[str, int, str]]:
    """(path, line, message) for each place that must hear about this failed job."""
    reply = outcome.reply or Reply("")
    trace = "\n" + reply.traceback if verbose and reply.traceback else ""
    if job.payload["kind"] in ("call", "exec"):
        expected = ", expected int, float or str" if reply.status == "returned" else ""
        expected += "; use .item()" if reply.item else ""
        return [(ref.path, ref.line, f"{what(ref)} {outcome.failure(timeout, job.where)}{expected}{trace}")
                for ref in job.refs]
    waiting = users(job, jobs)
    if reply.status == "error":
        path, _, line = (reply.where or job.where).rpartition(":")
        return [(path, int(line), f"{reply.error} ({waiting}){trace}")]
    p = producers[job.payload["name"]]
    return [(p.path, p.line, f"producer '{p.name}' {outcome.failure(timeout, job.where)} ({waiting})")]


def what(ref: Ref) -> str:
    return "python exec block" if ref.kind == "exec" else f"{ref.kind}('{ref.target}')"


def users(job, jobs: dict) -> str:
    """`figure 'x' used at slides/a.md:3; needed by figure 'y' used at ...` for a failed producer."""
    groups: dict[str, list[str]] = {}
    todo, seen = [(job, "")], set()
    while todo:
        current, prefix = todo.pop(0)
        if current.label in seen:
            continue
        seen.add(current.label)
        for ref in current.refs:
            kind = f"figure '{ref.target}'" if ref.kind == "figure" else f"value('{ref.target}')"
            groups.setdefault(f"{prefix}{kind} used at", []).append(ref.where)
        todo += [(other, "needed by ") for other in jobs.values() if current.label in other.needs]
    return "; ".join(f"{kind} {', '.join(places)}" for kind, places in groups.items())
