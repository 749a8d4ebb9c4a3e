# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A hostile or broken server (issue 20): the sanitiser, the listing and body limits, the whole-request deadline,
and the escaping of the hygiene report (CSV read back with the csv module, as a spreadsheet would).

The deadline and body-size tests talk to a raw socket server on 127.0.0.1 in this process (the only real HTTP in
the unit tests: the transport's own socket handling is what they test); each bounds its own time with a timeout
of a fraction of a second.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time

import pytest
import requests

from ansible_collections.conductorone.iam.plugins.module_utils import _hygiene, _masking
from ansible_collections.conductorone.iam.plugins.module_utils._api import ApiClient, IamApi
from ansible_collections.conductorone.iam.plugins.module_utils._errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._http import HttpTransport, error_from_response
from ansible_collections.conductorone.iam.tests.support.fakes import FakeTransport
from ansible_collections.conductorone.iam.tests.unit.plugins.module_utils.test_api import CLIENT_ID, SECRET
from ansible_collections.conductorone.iam.tests.unit.plugins.module_utils.test_http import make_response

REAL_REQUEST = requests.Session.request  # the conftest replaces it with a refusal; the socket tests restore it
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\r\x9b\u202egpj.exe"


# --- the sanitiser ---------------------------------------------------------------------------------------------

def test_inert_renders_every_control_and_reordering_character_visibly():
    text = _masking.inert(ESCAPES + "\nnext line\x00\x7f")
    assert text == "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mred\\x0d\\x9b\\u202egpj.exe\\x0anext line\\x00\\x7f"
    assert not any(ord(char) < 0x20 or 0x7f <= ord(char) <= 0x9f for char in text)


def test_inert_caps_the_length_after_rendering():
    text = _masking.inert("\x1b" * 500, 40)
    assert text.startswith("\\x1b" * 10)
    assert text.endswith("... (1960 more characters)")


def test_inert_keeps_none_and_plain_text():
    assert _masking.inert(None) is None
    assert _masking.inert("Über rôle (request-id: 0af3)") == "Über rôle (request-id: 0af3)"


def test_every_message_is_one_line_with_controls_shown():
    assert _masking.mask_message("a\x1b[2Jb\nc\r") == "a\\x1b[2Jb\\x0ac\\x0d"


def test_a_traceback_keeps_its_line_breaks():
    assert _masking.mask_message("Traceback\n  line\x1b", None) == "Traceback\n  line\\x1b"


def test_a_secret_is_masked_before_the_message_is_cut():
    registry = _masking.new_run()
    secret = "s3cr3t-value-" * 4
    registry.add(secret)
    cut_inside_the_secret = len("prefix ") + 10
    masked = _masking.mask_message("prefix " + secret + " suffix", cut_inside_the_secret)
    assert secret[:10] not in masked
    assert masked.startswith("prefix " + _masking.MASK[:10])


def test_server_error_message_and_request_id_are_inert_and_bounded():
    response = make_response(429, {"code": 8, "message": "slow down" + ESCAPES + "x" * 1000},
                             headers={"X-Request-Id": "\x1b]2;title\x07" + "r" * 300})
    error = error_from_response(response, "Roles.List")
    for text in (error.message, error.request_id, str(error)):
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text and "\u202e" not in text
    assert "\\x1b]2;title\\x07" in error.request_id
    assert len(error.message) < 400 and len(error.request_id) < 150


def test_retry_warning_shows_the_request_id_inert():
    warnings = []
    transport = HttpTransport(retries=1, warn=warnings.append, sleep=lambda seconds: None)
    outcomes = [make_response(429, {"code": 8, "message": "x"}, headers={"X-Request-Id": "\x1b[2J\x1b]0;t\x07id"}),
                make_response(200, {"ok": True})]
    transport.session.request = lambda *args, **kwargs: outcomes.pop(0)
    assert transport.send("GET", "https://acme.conductor.one/api/v1/iam/roles", "Roles.List") == {"ok": True}
    assert len(warnings) == 1 and "\x1b" not in warnings[0] and "\\x1b[2J\\x1b]0;t\\x07id" in warnings[0]


# --- answers of the wrong shape ----------------------------------------------------------------------------------

@pytest.mark.parametrize("body, words", [
    ("[1, 2]", "JSON list where an object was expected"),
    ("\"text\"", "JSON str where an object was expected"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ("<html>ok</html>", "not JSON"),
])
def test_a_2xx_that_is_not_a_json_object_fails_clearly(body, words):
    transport = HttpTransport(retries=0)
    transport.session.request = lambda *args, **kwargs: make_response(200, text=body)
    with pytest.raises(ConductorOneError) as caught:
        transport.send("GET", "https://acme.conductor.one/api/v1/iam/roles", "Roles.List")
    assert words in str(caught.value)
    assert "Roles.List (GET /api/v1/iam/roles)" in str(caught.value)


def test_a_deeply_nested_error_body_still_gives_the_status():
    error = error_from_response(make_response(500, text="[" * 100000), "Roles.List")
    assert error.status == 500 and "non-JSON" in error.message


# --- listing limits ----------------------------------------------------------------------------------------------

def paged_client(pages, **params):
    options = {"client_id": CLIENT_ID, "client_secret": SECRET}
    options.update(params)
    transport = FakeTransport(pages)
    return IamApi(ApiClient(options, transport=transport)), transport


def endless(count, per_page=1):
    return [{"list": [{"id": "r{0}-{1}".format(page, item)} for item in range(per_page)],
             "nextPageToken": "t{0}".format(page)} for page in range(count)]


def test_endless_page_tokens_stop_at_the_page_limit_naming_the_endpoint():
    api, transport = paged_client(endless(30, per_page=0), max_list_items=1000)
    with pytest.raises(ConductorOneError) as caught:
        api.list_roles()
    message = str(caught.value)
    assert "Roles.List (GET /api/v1/iam/roles)" in message and "20 pages" in message and "max_list_items" in message
    assert len(transport.api_calls) == 21  # the 21st page is the one refused; nothing after it is requested


def test_too_many_items_stop_at_the_item_limit_naming_the_count():
    api, transport = paged_client(endless(10, per_page=100), max_list_items=250)
    with pytest.raises(ConductorOneError) as caught:
        api.search_personal_clients()
    message = str(caught.value)
    assert "PersonalClientSearchService.Search (POST /api/v1/search/iam/personal_clients)" in message
    assert "more than 250 items" in message and "300 so far after 3 pages" in message
    assert len(transport.api_calls) == 3


def test_a_listing_within_the_limits_is_whole():
    pages = endless(3, per_page=100)
    pages[-1]["nextPageToken"] = ""
    api, dummy = paged_client(pages, max_list_items=300)
    assert len(api.list_personal_clients()) == 300


def test_a_page_whose_list_is_not_a_list_fails_clearly():
    api, dummy = paged_client([{"list": {"id": "x"}}])
    with pytest.raises(ConductorOneError, match="page that is not a list of objects"):
        api.list_roles()


@pytest.mark.parametrize("name", ["max_list_items", "max_response_bytes"])
@pytest.mark.parametrize("value", [0, -5, True])
def test_limits_must_be_positive(name, value):
    with pytest.raises(InputError, match=name):
        paged_client([], **{name: value})


# --- the whole-request deadline and the body cap, against a real socket --------------------------------------

class TrickleServer:
    """Answers each connection with ``head`` then ``body``, ``step`` bytes every ``interval`` seconds (the head
    at once when ``trickle_head`` is false); records how many bytes it managed to send. Without
    ``declare_length`` the body has no Content-Length and ends when the connection closes."""

    def __init__(self, body, interval=0.05, step=1, trickle_head=False, declare_length=True):
        self.body, self.interval, self.step, self.trickle_head = body, interval, step, trickle_head
        self.declare_length = declare_length
        self.sent = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.url = "http://127.0.0.1:{0}/api/v1/iam/roles".format(self.listener.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        try:
            connection, dummy = self.listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            length = "Content-Length: {0}".format(len(self.body)) if self.declare_length else "Connection: close"
            head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{0}\r\n\r\n".format(length).encode()
            data = head + self.body
            start = 0
            if not self.trickle_head:
                connection.sendall(head)
                start = len(head)
            try:
                for offset in range(start, len(data), self.step):
                    connection.sendall(data[offset:offset + self.step])
                    self.sent = offset + self.step
                    time.sleep(self.interval)
            except OSError:
                pass

    def close(self):
        self.listener.close()


@pytest.fixture
def real_http(monkeypatch):
    monkeypatch.setattr(requests.Session, "request", REAL_REQUEST)


@pytest.mark.parametrize("trickle_head", [False, True], ids=["body", "headers"])
def test_a_trickling_server_cannot_hold_a_request_past_timeout(real_http, trickle_head):
    body = json.dumps({"list": [], "pad": "x" * 400}).encode()
    server = TrickleServer(body, interval=0.05, trickle_head=trickle_head)  # 20 s to send it all
    try:
        transport = HttpTransport(timeout=0.3, retries=0)
        with pytest.raises(ConductorOneError) as caught:
            transport.send("GET", server.url, "Roles.List")
    finally:
        server.close()
    assert caught.value.timed_out
    assert "timeout bounds the whole request" in str(caught.value)
    assert server.sent < len(body)  # the client hung up long before the server was done


def test_a_body_over_the_limit_is_refused_unread(real_http):
    body = json.dumps({"list": [], "pad": "x" * 5000}).encode()
    server = TrickleServer(body, interval=0.0, step=1024)
    try:
        transport = HttpTransport(timeout=5, retries=0, max_response_bytes=1000)
        with pytest.raises(ConductorOneError) as caught:
            transport.send("GET", server.url, "Roles.List")
    finally:
        server.close()
    assert "larger than 1000 bytes" in str(caught.value) and "max_response_bytes" in str(caught.value)


def test_a_stream_over_the_limit_without_a_length_is_cut(real_http):
    body = json.dumps({"list": [], "pad": "x" * 5000}).encode()
    server = TrickleServer(body, interval=0.0, step=512, declare_length=False)
    try:
        transport = HttpTransport(timeout=5, retries=0, max_response_bytes=2048)
        with pytest.raises(ConductorOneError, match="larger than 2048 bytes"):
            transport.send("GET", server.url, "Roles.List")
    finally:
        server.close()


def test_a_body_within_the_limit_is_read_whole(real_http):
    body = json.dumps({"list": [{"id": "r1"}], "nextPageToken": ""}).encode()
    server = TrickleServer(body, interval=0.0, step=8)
    try:
        assert HttpTransport(timeout=5, retries=0).send("GET", server.url, "Roles.List")["list"] == [{"id": "r1"}]
    finally:
        server.close()


# --- the hygiene report ------------------------------------------------------------------------------------------

HOSTILE_NAMES = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", "  =1+1", "\u3000=1", "\uff1d1+1", "\uff0b1",
                 "\uff0d1", "\uff20cmd", "=HYPERLINK(\"http://evil\",\"x\")", "a,b\"c\nd"]


def violation(name, **extra):
    row = {"owner": "u1", "display_name": name, "id": "id-1", "client_id": "c@t/pcc", "rules": ["expired"],
           "created_at": "2026-01-01T00:00:00Z", "last_used_at": None, "expires_time": None,
           "days_since_last_use": None, "days_until_expiry": None}
    row.update(extra)
    return row


def spreadsheet_cells(text):
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_csv_never_starts_a_cell_with_a_formula(name):
    rows = spreadsheet_cells(_hygiene.csv_report([violation(name, owner=name, id=name)]))
    assert rows[0] == list(_hygiene.CSV_COLUMNS)
    assert len(rows) == 2 and len(rows[1]) == len(_hygiene.CSV_COLUMNS)
    for cell in rows[1][:3]:
        stripped = cell.lstrip(" \u3000")
        assert not (cell[:1] in "\t\r\n" or stripped[:1] in "=+-@\uff1d\uff0b\uff0d\uff20"), cell


def test_csv_keeps_ordinary_text_and_quotes_every_cell():
    text = _hygiene.csv_report([violation("ci deploy, nightly \"blue\"")])
    assert text.splitlines()[0] == "owner,display_name,id,client_id,rules,created_at,last_used_at,expires_time"
    assert text.splitlines()[1].startswith('"u1","ci deploy, nightly ""blue""","id-1",')
    assert spreadsheet_cells(text)[1][1] == "ci deploy, nightly \"blue\""


def test_csv_shows_control_characters():
    cell = spreadsheet_cells(_hygiene.csv_report([violation("a\x1b[31mb\r")]))[1][1]
    assert cell == "a\\x1b[31mb\\x0d"


MARKDOWN_ATTACKS = ["<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "![t](https://evil.example/t.png)",
                    "a | b | c", "line\rover", "`code` *bold* _em_", "\x1b[2J", "<script>x</script>", "&lt;ok&gt;"]


@pytest.mark.parametrize("name", MARKDOWN_ATTACKS)
def test_markdown_renders_every_name_literally(name):
    cell = _hygiene.markdown_text(name)
    assert "<" not in cell and ">" not in cell and "\r" not in cell and "\x1b" not in cell
    for syntax in ("](", "![", "[", "(", "`", "*", "_", "|"):
        # every such character is escaped: none appears without a backslash before it
        index = cell.find(syntax[0])
        while index != -1:
            assert cell[index - 1] == "\\", (cell, syntax)
            index = cell.find(syntax[0], index + 1)


def test_markdown_table_rows_and_enforcement_lines_escape_ids_too():
    report = {"violations": [violation("<b>x</b>", id="a|b", owner="[o](http://e)")], "clients_checked": 1,
              "scope": "caller", "checked_at": "2026-12-01T00:00:00Z",
              "deleted": [{"id": "<i>d</i>", "display_name": "d", "rules": ["expired"]}],
              "kept": [{"id": "![k](http://e/t.png)", "display_name": "k", "reason": "protected"}]}
    text = _hygiene.markdown_report(report, enforce=True)
    lines = text.splitlines()
    row = [line for line in lines if line.startswith("| \\[o\\]")][0]
    assert row.count(" | ") == 5  # six cells: the pipe in the id is escaped
    assert "&lt;b&gt;x&lt;/b&gt;" in row and "a\\|b" in row
    assert "Deleted: d (&lt;i&gt;d&lt;/i&gt;: expired)." in lines
    assert "Kept: k (\\!\\[k\\]\\(http://e/t.png\\); protected)." in lines


def test_markdown_report_layout():
    report = {"violations": [violation("hy-never", rules=["never_used_grace"])], "clients_checked": 11,
              "scope": "tenant", "checked_at": "2026-12-01T00:00:00Z", "deleted": [], "kept": []}
    lines = _hygiene.markdown_report(report).splitlines()
    assert lines[:4] == ["# Credential hygiene report", "",
                         "1 of 11 personal clients break the policy (scope tenant, checked at 2026-12-01T00:00:00Z).", ""]
    assert lines[4:7] == ["| owner | display name | id | rules | last used | expires |", "|---|---|---|---|---|---|",
                          "| u1 | hy-never | id-1 | never_used_grace | never | never |"]


def test_default_limits_are_the_documented_numbers():
    api, dummy = paged_client([])
    assert (api.client.max_list_items, api.client.max_pages) == (100000, 2000)
    assert api.client.max_response_bytes == 16 * 1024 * 1024
