# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""What the set modules share: per-item runners, bounded parallel execution, per-item failures, the summary.

A set module plans every item first (no write), then carries the writes out on at most ``parallel`` threads
that share one API client (one token, one connection pool, one 429 gate). One item's failure does not stop
the others, whatever it raised (an unexpected exception is that item's failure, its message masked); the task
fails at the end listing each failed item, and still returns what the other items (and a failed item's own
``partial_result``) produced.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, TypeVar

from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import Params, Result, Runner

DEFAULT_PARALLEL = 8
# The failures items expect; any other exception (a bug, an answer nobody foresaw) is still that item's
# failure, reported as unexpected, so that the others' results (and new secrets) are not lost with it.
ITEM_ERRORS = (InputError, ConductorOneError, OSError)

T = TypeVar("T")
# One item's line of a set module's ``results`` (see SetReport.add): index (None for an undeclared object),
# display_name, id, action, changed, and on failure failed and msg.
ItemEntry = Dict[str, Any]


class ItemRunner:
    """The runner interface (``params``, ``check_mode``, ``diff_mode``, ``warn``) for one item of a set."""

    def __init__(self, params: Params, parent: Runner, label: str) -> None:
        self.params = params
        self.check_mode = parent.check_mode
        self.diff_mode = parent.diff_mode
        self._parent = parent
        self._label = label

    def warn(self, message: str) -> None:
        self._parent.warn("{0}: {1}".format(self._label, message))


def item_name(option: str, index: int, label: Optional[str]) -> str:
    """How messages name an item: ``clients[3] (ansible-ci)``."""
    return "{0}[{1}] ({2})".format(option, index, label)


def check_parallel(value: Optional[int]) -> int:
    parallel = DEFAULT_PARALLEL if value is None else value
    if parallel < 1:
        raise InputError("parallel must be 1 (one write at a time) or more, got {0!r}".format(value))
    return parallel


def unique_or_fail(option: str, keyed: Iterable[Tuple[Optional[str], int, Optional[str]]], what: str) -> None:
    """Refuse (InputError) two items with the same key; ``keyed`` is [(key, index, label)], key None to skip."""
    seen: Dict[str, Tuple[int, Optional[str]]] = {}
    for key, index, label in keyed:
        if key is None:
            continue
        if key in seen:
            first_index, first_label = seen[key]
            raise InputError("{0} and {1} declare the same {2} {3!r}; each may appear once (nothing was changed)".format(
                item_name(option, first_index, first_label), item_name(option, index, label), what, key))
        seen[key] = (index, label)


def run_parallel(jobs: Sequence[Callable[[], T]], parallel: int) -> List[Tuple[Optional[T], Optional[Exception]]]:
    """Call each job; at most ``parallel`` at once. Returns [(result, error)] in job order; every Exception is caught."""
    def guarded(job: Callable[[], T]) -> Tuple[Optional[T], Optional[Exception]]:
        try:
            return job(), None
        except Exception as exc:  # pylint: disable=broad-exception-caught
            return None, exc

    if parallel <= 1 or len(jobs) <= 1:
        return [guarded(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=min(parallel, len(jobs))) as pool:
        return list(pool.map(guarded, jobs))


def bind(func: Callable[..., T], *args: Any) -> Callable[[], T]:
    """A job for run_parallel."""
    return lambda: func(*args)


def error_text(exc: BaseException) -> str:
    """An item's failure message, masked; an exception outside ITEM_ERRORS is named as unexpected."""
    if isinstance(exc, ITEM_ERRORS):
        text = str(exc) or exc.__class__.__name__
    else:
        text = "unexpected error ({0}): {1}".format(type(exc).__name__, exc)
    return _masking.mask_message(text)


class SetReport:
    """Collects per-item outcomes and builds the set module's result."""

    def __init__(self, option: str, actions: Tuple[str, ...], check_mode: bool) -> None:
        self.option = option
        self.actions = actions  # summary keys, in order, e.g. ("created", "updated", ...)
        self.check_mode = check_mode
        self.items: List[ItemEntry] = []
        # (item index, or infinity for an undeclared object; order of arrival; the diff)
        self.diffs: List[Tuple[float, int, Dict[str, Any]]] = []

    def add(self, index: Optional[int], label: Optional[str], action: str, result: Optional[Result] = None,
            error: Optional[BaseException] = None, object_id: Optional[str] = None) -> ItemEntry:
        entry: ItemEntry = {"index": index, "display_name": label, "id": object_id, "action": action,
                            "changed": bool(result and result.get("changed"))}
        if error is not None:
            entry.update(failed=True, msg=error_text(error))
        if result and "diff" in result and result["diff"]["before"] != result["diff"]["after"]:
            # One diff per item, with a header naming it (as ansible.builtin.template does per file): Ansible's
            # callbacks print a list of diffs one after the other, so hunks of different items never run together.
            where = "{0} (undeclared, deleted)".format(label) if index is None else item_name(self.option, index, label)
            self.diffs.append((index if index is not None else float("inf"), len(self.diffs), {
                "before_header": where, "after_header": where,
                "before": result["diff"]["before"], "after": result["diff"]["after"]}))
        self.items.append(entry)
        return entry

    @property
    def failures(self) -> List[ItemEntry]:
        return [entry for entry in self.items if entry.get("failed")]

    def summary(self, kind_of: Callable[[ItemEntry], str]) -> Dict[str, Any]:
        """The role-facing summary: labels per kind of change (``kind_of(entry)``), failures, errors, flags."""
        summary: Dict[str, Any] = dict((key, []) for key in self.actions)
        summary.update(failed=[], errors=[])
        for entry in self.items:
            if entry.get("failed"):
                summary["failed"].append(entry["display_name"])
                summary["errors"].append(self._describe(entry))
            else:
                summary[kind_of(entry)].append(entry["display_name"])
        summary["changed"] = any(entry["changed"] for entry in self.items)
        summary["check_mode"] = self.check_mode
        return summary

    def _describe(self, entry: ItemEntry) -> str:
        where = self.option if entry["index"] is None else "{0}[{1}]".format(self.option, entry["index"])
        return "{0} ({1}): {2}".format(where, entry["display_name"], entry["msg"])

    def result(self, kind_of: Callable[[ItemEntry], str], diff_mode: bool, notes: Sequence[str] = ()) -> Result:
        summary = self.summary(kind_of)
        result: Result = {
            "changed": summary["changed"],
            "results": self.items,
            "summary": summary,
            "counts": dict((key, len(summary[key])) for key in self.actions + ("failed",)),
        }
        if diff_mode:
            result["diff"] = [diff for dummy, dummy2, diff in sorted(self.diffs, key=lambda entry: entry[:2])]
        errors = summary["errors"] + list(notes)  # notes (such as deletions left out) only go to msg
        if summary["errors"]:
            result["failed"] = True
            result["msg"] = "{0} of {1} items failed: {2}".format(
                len(self.failures), len([e for e in self.items if e["index"] is not None]) or len(self.items),
                "; ".join(errors))
        return result
