# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Test-only action: drive the emulator's /_emulator/ controls from a playbook, controller-side (a few ms a task).

The reliability suite puts this directory on ANSIBLE_ACTION_PLUGINS and the emulator URL in C1REL_EMU_URL
(C1REL_EMU_CA with --tls). Arguments, applied in this order:

  collect: true        return the request log since the last collect and the pending faults, then clear both;
                       with expect_faults: N, first wait until every consumed fault of the N injected is in the
                       log (a delayed request is logged only once it has been served)
  clear: true          clear pending faults and the request log without returning them
  config: {...}        POST /_emulator/config
  seed: {...}          POST /_emulator/seed (client secrets in the answer are replaced by their length)
  revoke_tokens: true  POST /_emulator/revoke_tokens
  faults: [...]        POST /_emulator/faults (retry_after_date_in: N, an HTTP date N s after the fault fires)
  live_clients: name   return the live personal clients with this display name (never secrets)
  sleep: seconds       sleep at the end
  sleep_until: epoch   sleep until this time.time() (a start line shared by parallel ansible-playbook processes)
"""

from __future__ import annotations

import json
import os
import ssl
import time
import urllib.error
import urllib.request

from ansible.plugins.action import ActionBase


def _call(method, name, body=None):
    url = os.environ['C1REL_EMU_URL'].rstrip('/') + '/_emulator/' + name
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
    context = None
    if url.startswith('https:'):
        context = ssl.create_default_context(cafile=os.environ.get('C1REL_EMU_CA'))
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            return json.loads(response.read().decode() or '{}')
    except urllib.error.HTTPError as exc:
        raise RuntimeError('control %s %s failed: %s %s' % (method, name, exc.code, exc.read()[:500]))


def _redact(answer):
    for client in answer.get('personalClients') or []:
        if 'clientSecret' in client:
            client['clientSecret'] = '<%d chars>' % len(client['clientSecret'] or '')
    return answer


class ActionModule(ActionBase):
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        result['changed'] = False
        if args.get('collect'):
            result['requests'], result['pending_faults'] = self._collect(int(args.get('expect_faults', 0)), float(args.get('wait', 15)))
        if args.get('clear'):
            _call('DELETE', 'faults')
            _call('DELETE', 'requests')
        if args.get('config'):
            result['config'] = _call('POST', 'config', args['config'])
        if args.get('seed'):
            result['seeded'] = _redact(_call('POST', 'seed', args['seed']))
        if args.get('revoke_tokens'):
            result['revoked'] = _call('POST', 'revoke_tokens', {})
        if args.get('faults'):
            result['faults'] = _call('POST', 'faults', list(args['faults']))['faults']
        if args.get('live_clients') is not None:
            state = _call('GET', 'state')
            result['live_clients'] = [c for c in state['personalClients']
                                      if not c.get('deletedAt') and c.get('displayName') == args['live_clients']]
        if args.get('sleep'):
            time.sleep(float(args['sleep']))
        if args.get('sleep_until'):
            time.sleep(max(0.0, float(args['sleep_until']) - time.time()))
        return result

    @staticmethod
    def _collect(expected, wait):
        deadline = time.time() + wait
        while True:
            pending = _call('GET', 'faults')['faults']
            log = _call('GET', 'requests')['requests']
            logged = sum(1 for entry in log if entry.get('fault'))
            unused = sum(fault.get('count', 1) for fault in pending)
            if logged + unused >= expected or time.time() > deadline:
                break
            time.sleep(0.1)
        _call('DELETE', 'faults')
        _call('DELETE', 'requests')
        return log, pending
