# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Injected faults and the request log (test controls, never persisted)."""

import re
import threading

KINDS = ('status', 'html', 'delay', 'drop', 'lost_response', 'strip')
MAX_LOG = 20000


class FaultError(ValueError):
    """A fault document that cannot be used."""


def _parse(spec):
    if not isinstance(spec, dict):
        raise FaultError('a fault must be a JSON object')
    kind = spec.get('kind', 'status')
    if kind not in KINDS:
        raise FaultError('kind must be one of %s' % ', '.join(KINDS))
    count = spec.get('count', 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise FaultError('count must be a positive integer')
    method = spec.get('method')
    if method is not None and (not isinstance(method, str) or not method):
        raise FaultError('method must be a string')
    path = spec.get('path')
    try:
        pattern = re.compile(path) if path is not None else None
    except (re.error, TypeError) as exc:
        raise FaultError('path must be a regular expression: %s' % exc) from exc
    fault = {'kind': kind, 'count': count, 'method': method.upper() if method else None, 'path': path, '_re': pattern}
    if kind in ('status', 'html'):
        status = spec.get('status', 503 if kind == 'status' else 502)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise FaultError('status must be an HTTP status code')
        fault['status'] = status
        retry_after = spec.get('retry_after')
        if retry_after is not None:
            if isinstance(retry_after, bool) or not isinstance(retry_after, (str, int, float)):
                raise FaultError('retry_after must be seconds or an HTTP date')
            fault['retry_after'] = str(retry_after)
        # An HTTP-date Retry-After N s after the fault fires (not after it was injected: a client that starts late
        # under load would otherwise be told a date already close or past).
        date_in = spec.get('retry_after_date_in')
        if date_in is not None:
            if isinstance(date_in, bool) or not isinstance(date_in, (int, float)) or not 0 <= date_in <= 3600:
                raise FaultError('retry_after_date_in must be a number of seconds between 0 and 3600')
            fault['retry_after_date_in'] = date_in
        for optional in ('code', 'message', 'body'):
            if spec.get(optional) is not None:
                fault[optional] = spec[optional]
    if kind == 'strip':  # handled normally (its effect kept); a 2xx answer loses these top-level fields
        fields = spec.get('fields')
        if fields is not None and (not isinstance(fields, list) or not fields or
                                   not all(isinstance(field, str) and field for field in fields)):
            raise FaultError('fields must be a non-empty list of field names')
        fault['fields'] = fields
    if kind == 'delay':
        seconds = spec.get('seconds', 1)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 300:
            raise FaultError('seconds must be a number between 0 and 300')
        fault['seconds'] = seconds
        barrier = spec.get('barrier')
        if barrier is not None:  # hold each matching request until `barrier` of them arrived (or `seconds` passed)
            if isinstance(barrier, bool) or not isinstance(barrier, int) or not 2 <= barrier <= count:
                raise FaultError('barrier must be an integer between 2 and count')
            fault['barrier'] = barrier
        if spec.get('hold') is not None:  # hold each matching request until POST /_emulator/release (or `seconds`)
            if not isinstance(spec['hold'], bool):
                raise FaultError('hold must be true or false')
            fault['hold'] = spec['hold']
        if barrier is not None or fault.get('hold'):
            fault['_gate'] = _Gate(barrier)
    return fault


class _Gate:
    """Requests wait here until ``parties`` of them arrived, or until released: a race forced, not left to
    scheduling."""

    def __init__(self, parties=None):
        self._parties = parties
        self._arrived = 0
        self._released = False
        self.waiting = 0
        self._cond = threading.Condition()

    def _open(self):
        return self._released or (self._parties is not None and self._arrived >= self._parties)

    def wait(self, timeout):
        with self._cond:
            self._arrived += 1
            self.waiting += 1
            self._cond.notify_all()
            self._cond.wait_for(self._open, timeout)
            self.waiting -= 1

    def release(self):
        with self._cond:
            self._released = True
            self._cond.notify_all()


def public(fault):
    return {k: v for k, v in fault.items() if not k.startswith('_')}


class Faults:
    """Pending faults (first match wins, each used count times) and the request log."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = []
        self._log = []
        self._gates = []

    def held(self):
        """How many requests wait in a barrier or hold right now."""
        with self._lock:
            return sum(gate.waiting for gate in self._gates)

    def release(self):
        """Let every held request go on (and any that would arrive later); answers how many were waiting."""
        gates = self._swap('_gates')
        waiting = sum(gate.waiting for gate in gates)
        for gate in gates:
            gate.release()
        return waiting

    def add(self, specs):
        parsed = [_parse(spec) for spec in specs]
        with self._lock:
            self._pending.extend(parsed)
            self._gates.extend(f['_gate'] for f in parsed if '_gate' in f)
            return [public(f) for f in self._pending]

    def pending(self):
        return self._copy('_pending', public)

    def clear(self):
        return len(self._swap('_pending'))

    def take(self, method, path):
        """Consume one use of the first pending fault matching this request, or None."""
        with self._lock:
            for fault in self._pending:
                if fault['method'] and fault['method'] != method.upper():
                    continue
                if fault['_re'] is not None and not fault['_re'].search(path):
                    continue
                fault['count'] -= 1
                if fault['count'] <= 0:
                    self._pending.remove(fault)
                return dict(public(fault), _gate=fault['_gate']) if '_gate' in fault else public(fault)
        return None

    def record(self, method, path, status, kind, query='', page_token=None):
        entry = {'method': method, 'path': path, 'query': query, 'status': status, 'fault': kind}
        if page_token is not None:  # a body's page token (searches page in the body, not the query string)
            entry['page_token'] = page_token
        with self._lock:
            self._log.append(entry)
            if len(self._log) > MAX_LOG:
                del self._log[:len(self._log) - MAX_LOG]

    def requests(self):
        return self._copy('_log', dict)

    def clear_requests(self):
        return len(self._swap('_log'))

    def _copy(self, name, convert):
        """The list attribute ``name``, each entry through ``convert``, read under the lock."""
        with self._lock:
            return [convert(entry) for entry in getattr(self, name)]

    def _swap(self, name):
        """Empty the list attribute ``name`` under the lock; answers what it held."""
        with self._lock:
            held = getattr(self, name)
            setattr(self, name, [])
            return held
