# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""The harness refuses a scenario that cannot prove its claim (relkit.Scenario.validate, relkit.contract_problems).

Pure Python: no emulator, no playbook. These rows are not in docs/reliability.md; they guard the guard.
"""

import pytest

import mutate
import relkit

FAULT = {'method': 'DELETE', 'kind': 'lost_response'}


def _tasks(key='K1', faults=(FAULT,), collect=True):
    tasks = [relkit.ctl(key + ' setup', clear=True, faults=list(faults)),
             relkit.mod(key + ' run', 'personal_client', {'id': 'x', 'state': 'absent'})]
    if collect:
        tasks.append(relkit.ctl(key + ' collect', collect=True))
    return tasks


def _scenario(**kw):
    args = dict(outcome='changed', requests=[('DELETE', '^/api/v1/iam/personal_clients/', [200, 404])])
    args.update(kw)
    tasks = args.pop('tasks', None) or _tasks()
    return relkit.Scenario('K1', 'label', 'expected', tasks, lambda ctx: [], **args)


class FakeRun:
    def __init__(self, results):
        self.results = results

    def result(self, name, host='localhost'):
        if name not in self.results:
            raise KeyError(name)
        return self.results[name]


def _problems(scenario, run_result, log, pending=()):
    run = FakeRun({'K1 run': run_result, 'K1 collect': {'_status': 'ok', 'requests': log, 'pending_faults': list(pending)}})
    return relkit.contract_problems(scenario, relkit.Ctx(run, None, 'K1', '.', scenario))


GOOD_LOG = [{'method': 'DELETE', 'path': '/api/v1/iam/personal_clients/x', 'query': '', 'status': 200, 'fault': 'lost_response'},
            {'method': 'DELETE', 'path': '/api/v1/iam/personal_clients/x', 'query': '', 'status': 404, 'fault': None}]
CHANGED = {'_status': 'ok', 'changed': True}


def test_a_scenario_that_proves_its_claim_has_no_problem():
    scenario = _scenario()
    scenario.validate()
    assert _problems(scenario, CHANGED, GOOD_LOG) == []


@pytest.mark.parametrize('kw,message', [
    ({'outcome': None}, 'declares no outcome'),
    ({'outcome': 'maybe'}, 'must give one of'),
    ({'outcome': {'other': 'ok'}}, 'must give one of'),
    ({'requests': None}, 'declares no expected requests'),
    ({'requests': [('DELETE', 'x')]}, 'is not (method, path regex'),
    ({'tasks': _tasks(collect=False)}, 'no c1emu collect task'),
    ({'tasks': _tasks(key='K2')}, 'does not start with the key'),
    ({'tasks': [relkit.ctl('K1 collect', collect=True)]}, 'no conductorone.iam module task'),
    ({'tasks': list(reversed(_tasks()))}, 'runs after the last collect task'),
])
def test_the_harness_refuses_a_scenario_that_cannot_prove_anything(kw, message):
    with pytest.raises(relkit.ContractError, match='scenario K1 .*' + message.replace('(', r'\(')):
        _scenario(**kw).validate()


def test_a_fault_left_pending_fails():
    problems = _problems(_scenario(), CHANGED, GOOD_LOG, pending=[FAULT])
    assert any(p.startswith('contract: fault(s) never consumed') for p in problems), problems


def test_fewer_fault_hits_than_injected_fails():
    log = [dict(GOOD_LOG[0], fault=None, status=200)]
    problems = _problems(_scenario(), CHANGED, log)
    assert 'contract: 1 fault(s) injected, 0 hit in the request log' in problems
    assert "contract: expected DELETE ^/api/v1/iam/personal_clients/ statuses [200, 404], saw [200]" in problems


def test_a_count_of_requests_is_checked():
    scenario = _scenario(requests=[('DELETE', '^/api/v1/iam/personal_clients/', 1)])
    assert _problems(scenario, CHANGED, GOOD_LOG) == ['contract: expected 1 x DELETE ^/api/v1/iam/personal_clients/, saw 2 (200, 404)']


@pytest.mark.parametrize('result,got', [({'_status': 'failed', 'failed': True}, 'failed'), ({'_status': 'ok', 'changed': False}, 'ok')])
def test_another_outcome_than_the_documented_one_fails(result, got):
    assert _problems(_scenario(), result, GOOD_LOG) == ["contract: task 'run' ended %s, expected changed" % got]


def test_a_missing_result_fails():
    run = FakeRun({'K1 collect': {'_status': 'ok', 'requests': GOOD_LOG, 'pending_faults': []}})
    scenario = _scenario()
    assert relkit.contract_problems(scenario, relkit.Ctx(run, None, 'K1', '.', scenario)) == [
        "contract: task 'run' ended no result, expected changed"]


def test_run_scenario_set_refuses_before_starting_anything():
    with pytest.raises(relkit.ContractError, match='declares no outcome'):
        relkit.run_scenario_set('refused', [_scenario(outcome=None)])


@pytest.mark.parametrize('mutation', mutate.MUTATIONS, ids=lambda mutation: mutation[0])
def test_every_mutation_of_the_mutation_check_still_applies(mutation):
    """A refactor that moves a guarded path must move its mutation too, or `make mutate` stops as stale."""
    name, dummy, path, snippet, replacement = mutation[:5]
    text = (relkit.REPO / path).read_text(encoding='utf-8')
    try:
        mutate.snippet_in(text, snippet, replacement)
    except ValueError as exc:
        pytest.fail('{0}: {1} in {2}'.format(name, exc, path))


@pytest.mark.parametrize('mutation', mutate.MUTATIONS, ids=lambda mutation: mutation[0])
def test_every_mutation_targets_tests_that_exist(mutation):
    """A target file renamed or removed would make its mutation run nothing (or an error counted as a kill)."""
    name, tests = mutation[0], mutation[5]
    skip = False
    for arg in tests:
        if skip or arg == '-k':
            skip = arg == '-k'
            continue
        path = arg.split('::', 1)[0]
        assert path.startswith((mutate.SCENARIO_ROOT + '/', mutate.UNIT_ROOT + '/')), (name, arg)
        assert (relkit.REPO / path).is_file(), '{0}: {1} does not exist'.format(name, path)
