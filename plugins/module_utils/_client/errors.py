# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The two failure types every module reports: bad input, and an API call that failed.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, TypedDict

GRPC_CODE_NAMES: Dict[int, str] = {
    0: "OK", 1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND",
    6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION",
    10: "ABORTED", 11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED", 13: "INTERNAL", 14: "UNAVAILABLE",
    15: "DATA_LOSS", 16: "UNAUTHENTICATED",
}


class InputError(Exception):
    """The user's options are wrong; raised before any API write. The message names the option."""


class MissingLibraryError(Exception):
    """A Python library the run needs is not installed on the host running the module."""

    def __init__(self, library: str, traceback_text: str | None) -> None:
        super().__init__(library)
        self.library = library
        self.traceback = traceback_text


class ErrorResult(TypedDict):
    """``ConductorOneError.as_result()``: the structured part of a failure result."""

    operation: Optional[str]
    status: Optional[int]
    code: Optional[int]
    message: str
    request_id: Optional[str]


@dataclass(eq=False, repr=False)
class ConductorOneError(Exception):
    """An API (or transport) failure: what was called, HTTP status, gateway code, message, request id.

    A dataclass for its fields only: compared by identity and shown as ``ConductorOneError('message')`` like any
    exception (``eq=False``, ``repr=False``)."""

    message: str
    operation: str | None = None
    status: int | None = None
    code: int | None = None
    request_id: str | None = None
    # True when the request was sent but no answer came in time: the server may still be carrying it out.
    timed_out: bool = False

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def code_name(self) -> str | None:
        return GRPC_CODE_NAMES.get(self.code) if isinstance(self.code, int) else None

    def __str__(self) -> str:
        parts = []
        if self.status is not None:
            parts.append("HTTP {0}".format(self.status))
        if self.code is not None:
            parts.append("code {0} ({1})".format(self.code, self.code_name or self.code))
        head = "{0} failed".format(self.operation) if self.operation else "ConductorOne request failed"
        if parts:
            head += " [" + ", ".join(parts) + "]"
        text = "{0}: {1}".format(head, self.message)
        if self.request_id and self.request_id not in self.message:
            text += " (request-id: {0})".format(self.request_id)
        return text

    def as_result(self) -> ErrorResult:
        """The structured part of a failure result, for playbooks that branch on it."""
        return {
            "operation": self.operation,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
        }
