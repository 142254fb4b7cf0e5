"""The career-centre deployment, for real: a JupyterHub on loopback, three people and a coach.

One hub for the module (see :mod:`harness`): people ``a``, ``b``, ``c`` and coach ``coach`` are
accounts of the machine; each person's server is started through the hub's REST API and writes into
its own workbook from a kernel of that server. Then: the operating system keeps each workbook private,
the hub keeps each server private, nobody outside the centre's groups and no system account gets in or
gets a server, the services run as accounts of their own, the coach sees who is active and the masked
reports people shared (nothing else: no export, calendar, workbook or report with names), the guided
notebooks follow updates without losing an edit, and the app mode is the page of ``career-workbook
app`` (one page in one kernel, its step bar, addresses and demo switch), checked in Chromium with every
request off the machine blocked. Everything the hub test made is removed at the end, or the module
errors.

Needs root, ``useradd``, ``configurable-http-proxy`` and the environment of
``deploy/jupyterhub/install.sh``; without them it is skipped, except on CI (``$CI`` set) where
that is a failure.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.app import STEPS, button, show_step, view, wait_shown
from tests.browser.conftest import _watched

from .harness import PREFIX, Hub, http, require_prerequisites

pytestmark = [pytest.mark.hub, pytest.mark.slow]

WRITE = """
import json
from workbook import open_workbook
wb = open_workbook()
option = wb.add_option("Path of {who}", "only {who} may read this")
criterion = wb.add_criterion("Pay", 2.0)
wb.add_insight(option, criterion, 1, confidence="high", note="secret note of {who}")
print(json.dumps({{"path": str(wb.path), "options": len(wb.options()), "insights": len(wb.insights())}}))
wb.close()
"""

TRY_TO_READ = """
try:
    open({path!r}, "rb").read(16)
    print("READ")
except PermissionError:
    print("PermissionError")
"""

#: A contact whose name must never reach a coach.
CONTACT = "Rosalind Quenby"

SHARE_REPORT = """
import json, os, shutil, subprocess
from workbook import open_workbook
wb = open_workbook()
option = int(wb.options()["id"].iloc[0])
person = wb.add_contact({contact!r}, "Quenby Analytics", "Data editor", "alumni", options=[option])
wb.add_conversation(person, option, status="scheduled", scheduled_at="2026-12-01 10:00")
wb.close()
shared = os.environ["CAREER_WORKBOOK_SHARED"]
def run(*args):
    subprocess.run(["career-workbook", *args], check=True, capture_output=True, timeout=120)
def there(name):
    return os.path.join(shared, name)
# What a person shares: the report without names.
run("report", "-o", there("report.html"))
# What must never reach the coach, whatever it is called:
run("report", "--names", "-o", there("with-names.html"))   # the report with names
run("export", "-o", shared)                                 # contacts.csv and the other tables
run("export", "-o", there("workbook.xlsx"))
run("calendar", "-o", there("calendar.ics"))
shutil.copyfile(os.environ["CAREER_WORKBOOK"], there("workbook.sqlite"))
shutil.copyfile(os.environ["CAREER_WORKBOOK"], there("disguised.html"))
with open(there("contacts.json"), "w") as fh:
    json.dump([{contact!r}], fh)
with open(there("notes.html"), "w") as fh:                  # HTML, but not a report
    fh.write("<!DOCTYPE html><html><head><title>notes</title></head><body>{contact}</body></html>")
shutil.copyfile(there("report.html"), there("kept-private.html"))
os.chmod(there("kept-private.html"), 0o600)                 # a report the person keeps to themself
shutil.copyfile(there("with-names.html"), there("renamed.csv.html"))
os.chmod(there("renamed.csv.html"), 0o640)                  # a report with names made readable by hand
os.symlink(there("report.html"), there("link-to-report.html"))
os.symlink({other_workbook!r}, there("linked.html"))
os.symlink(there("with-names.html"), there("names-link.html"))
print(json.dumps(sorted(os.listdir(shared))))
"""

#: As if an earlier version had been installed (the folder's record names the version each copy came
#: from, as the upgrade wrote it then): 01 is that version, untouched; 04 is that version, which the
#: person then edited. And the app page was damaged.
EARLIER_VERSION = """
import json
from pathlib import Path
from workbook.cli import launch
folder = Path({folder!r})
def with_cell(name, text):
    path = folder / name
    book = json.loads(path.read_text(encoding="utf-8"))
    book["cells"].append({{"cell_type": "markdown", "id": "added-%d" % len(book["cells"]), "metadata": {{}}, "source": text}})
    path.write_text(json.dumps(book), encoding="utf-8")
    return launch.notebook_hash(path)
record = json.loads((folder / launch.MANIFEST).read_text(encoding="utf-8"))
record["01_options_and_criteria.ipynb"] = with_cell("01_options_and_criteria.ipynb", "Text of an earlier version.")
record["04_prepare.ipynb"] = with_cell("04_prepare.ipynb", "Text of an earlier version.")
(folder / launch.MANIFEST).write_text(json.dumps(record), encoding="utf-8")
with_cell("04_prepare.ipynb", "My own notes on preparing.")
(folder / "career-workbook.ipynb").write_text("{{}}", encoding="utf-8")
"""

#: Where JupyterLab's kernels look for kernel specs and templates; what they know of the app.
KERNEL_SETUP = """
import json, os, sys
from workbook import paths
print(json.dumps({"jupyter_path": os.environ.get("JUPYTER_PATH", ""), "ours": str(paths.package_root() / "jupyter"),
                  "argv": sys.argv, "app": os.environ.get("CAREER_WORKBOOK_APP")}))
"""

#: Everything above but the report without names, asked for by name.
NOT_SHARED = [
    "with-names.html", "contacts.csv", "options.csv", "workbook.xlsx", "calendar.ics", "workbook.sqlite",
    "disguised.html", "contacts.json", "notes.html", "kept-private.html", "renamed.csv.html",
    "link-to-report.html", "linked.html", "names-link.html", "missing.html",
]  # fmt: skip


@pytest.fixture(scope="module")
def hub():
    require_prerequisites()
    with Hub() as hub:
        hub.start(people=["a", "b", "c"], coaches=["coach"], outsiders=["out"], system=["sys"])
        people = [f"{hub.tag}{name}" for name in "abc"]
        hub.start_servers([*people, f"{hub.tag}coach"])
        hub.people = people
        hub.coach = f"{hub.tag}coach"
        hub.outsider = f"{hub.tag}out"
        hub.system = f"{hub.tag}sys"
        yield hub


@pytest.fixture(scope="module")
def chromium(browser):
    """Chromium through Playwright: the session's one browser, shared with tests/browser (tests/conftest.py)."""
    return browser


@pytest.fixture(scope="module")
def workbooks(hub):
    """Each person writes into their own workbook through a kernel of their own server."""
    found = {}
    for user in hub.people:
        found[user] = json.loads(hub.run_code(user, WRITE.format(who=user)).strip().splitlines()[-1])
    return found


def test_each_workbook_is_in_its_owners_home_and_private(hub, workbooks):
    for user, written in workbooks.items():
        home = hub.home(user)
        path = home / "career-workbook" / "workbook.sqlite"
        assert written == {"path": str(path), "options": 1, "insights": 1}
        info = path.stat()
        assert info.st_uid == _uid(user)
        assert stat.S_IMODE(info.st_mode) == 0o600, oct(info.st_mode)
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        assert stat.S_IMODE((home / "career-workbook").stat().st_mode) == 0o700


def test_a_file_deleted_in_jupyterlab_goes_to_its_owners_trash(hub, workbooks):
    """jupyterhub-singleuser deletes for good; here a deleted file can be brought back, as on a laptop."""
    user = hub.people[2]
    home = hub.home(user)
    kept = home / "career-workbook" / "deleted by mistake.txt"
    kept.write_text("what I wrote", encoding="utf-8")
    os.chown(kept, _uid(user), pwd.getpwnam(user).pw_gid)
    response = hub.as_user(user, "DELETE", f"/user/{user}/api/contents/deleted%20by%20mistake.txt")
    assert response.status == 204, response.text
    assert not kept.exists()
    trashed = home / ".local" / "share" / "Trash" / "files" / "deleted by mistake.txt"
    assert trashed.read_text(encoding="utf-8") == "what I wrote"
    assert trashed.stat().st_uid == _uid(user)


def test_the_guided_notebooks_follow_updates_and_edits_are_kept(hub, workbooks):
    """At each start: the app page copied in, untouched notebooks brought up to the installed version,
    an edited one kept as the person left it with the installed version beside it."""
    user = hub.people[2]
    folder = hub.home(user) / "career-workbook"
    shipped = {p.name: p.read_bytes() for p in (PREFIX / "notebooks").glob("*.ipynb")}
    copied = sorted(p.name for p in folder.glob("*.ipynb"))
    assert copied == sorted([*shipped, "career-workbook.ipynb"]) and len(shipped) == 9, copied  # 00–08, the page
    assert all((folder / name).read_bytes() == text for name, text in shipped.items())
    page = (folder / "career-workbook.ipynb").read_bytes()
    assert b"app_page()" in page
    hub.run_code(user, EARLIER_VERSION.format(folder=str(folder)))
    edited = (folder / "04_prepare.ipynb").read_bytes()
    assert (folder / "01_options_and_criteria.ipynb").read_bytes() != shipped["01_options_and_criteria.ipynb"]
    hub.api("DELETE", f"/users/{user}/server")
    hub.start_server(user)
    assert (folder / "01_options_and_criteria.ipynb").read_bytes() == shipped["01_options_and_criteria.ipynb"]
    assert (folder / "04_prepare.ipynb").read_bytes() == edited
    assert (folder / "04_prepare (new version).ipynb").read_bytes() == shipped["04_prepare.ipynb"]
    assert (folder / "career-workbook.ipynb").read_bytes() == page
    for path in folder.glob("*.ipynb"):
        info = path.stat()
        assert info.st_uid == _uid(user) and stat.S_IMODE(info.st_mode) == 0o600, (path.name, oct(info.st_mode))
    assert "Kept your edited 04_prepare.ipynb" in hub.log_path.read_text(encoding="utf-8", errors="replace")


def test_jupyterlab_kernels_find_the_package_first_and_do_not_follow_the_app(hub, workbooks):
    """Lab's kernels, on the same server as the app: the package's Jupyter folder (its kernel spec) comes
    first on JUPYTER_PATH; the app's demo switch is not theirs (no $CAREER_WORKBOOK_APP)."""
    a = hub.people[0]
    found = json.loads(hub.run_code(a, KERNEL_SETUP).strip().splitlines()[-1])
    assert found["jupyter_path"].split(os.pathsep) == [found["ours"]], found
    assert found["app"] is None
    spec = Path(found["ours"]) / "kernels" / "python3" / "kernel.json"
    if spec.exists():  # the package's kernel spec: the kernel JupyterLab starts is that one
        wanted = json.loads(spec.read_text(encoding="utf-8"))["argv"]
        assert [arg for arg in wanted[5:] if arg not in found["argv"]] == [], (wanted, found["argv"])


def test_a_server_cannot_read_anothers_workbook(hub, workbooks):
    a, b, _ = hub.people
    assert hub.run_code(a, TRY_TO_READ.format(path=workbooks[b]["path"])).strip() == "PermissionError"
    assert hub.run_code(b, TRY_TO_READ.format(path=workbooks[a]["path"])).strip() == "PermissionError"


def test_a_person_cannot_reach_anothers_server(hub, workbooks):
    a, b, _ = hub.people
    assert hub.as_user(a, "GET", f"/user/{a}/api/contents").status == 200  # their own: yes
    for path in (f"/user/{b}/api/contents/career-workbook", f"/user/{b}/api/kernels",
                 f"/user/{b}/voila/render/career-workbook.ipynb", f"/user/{b}/voila/render/career-workbook.ipynb?step=06",
                 f"/user/{b}/files/career-workbook/workbook.sqlite"):  # fmt: skip
        response = hub.as_user(a, "GET", path)
        assert response.status in (302, 403, 404), (path, response.status)
        assert b"secret note" not in response.body and b"SQLite format" not in response.body
    assert hub.as_user(a, "GET", "/hub/api/users").status == 403  # nor list the others
    assert hub.as_user(a, "POST", f"/hub/api/users/{b}/tokens").status in (403, 404)


def test_the_default_page_is_the_app_page_of_the_package(hub):
    a = hub.people[0]
    response = hub.as_user(a, "GET", f"/user/{a}/")
    assert response.status == 302
    app = response.headers["Location"].rstrip("?")
    assert app.endswith(f"/user/{a}/voila/render/career-workbook.ipynb"), app
    page = hub.as_user(a, "GET", app)  # Voila runs the page in a kernel of its owner's (see the Chromium test)
    assert page.status == 200, page.text[:500]
    # The package's template (career-workbook app's page): its step bar style, no stylesheet from a CDN;
    # the page's cell ran (its one output is the app's widget) and its code is not shown.
    assert b".cw-stepbar {" in page.body and b"application/vnd.jupyter.widget-view+json" in page.body
    assert b"app_page" not in page.body and b"workbook.forms" not in page.body
    assert b"cdn.jsdelivr.net" not in page.body and b"fontawesome" not in page.body.lower()


def test_a_person_logs_in_with_their_password_and_lands_in_the_app(hub, workbooks):
    a, b, _ = hub.people
    browser = hub.browser()
    status, url, body = browser.log_in(a, hub.passwords[a])
    assert status == 200 and url.endswith(f"/user/{a}/voila/render/career-workbook.ipynb"), (status, url)
    assert ".cw-stepbar {" in body  # the app's page; which workbook it opens: see the Chromium test
    status, url, body = browser.get(f"/user/{b}/lab")
    assert status == 403, (status, url)
    assert "secret note" not in body


#: What a person's environment loads with a Jupyter server, asked of a kernel running as them.
SERVER_IMPORTS = """
import json, sys
import jsonschema, jupyter_server.serverapp
print(json.dumps({"loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("rfc3987_syntax", "lark")),
                  "formats": sorted(jsonschema.FormatChecker.checkers)}))
"""


def _page_config(body: str) -> dict:
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', body, re.S)
    assert found, body[:500]
    return json.loads(found.group(1))


def test_each_server_starts_without_the_work_nobody_uses(hub, workbooks):
    """A start twenty people make at once: no IRI parsers built on import (jsonschema's other format
    checks stay), no classic-notebook shim, a read-only extension manager; JupyterLab, Voila,
    terminals, the language-server extension (JupyterLab asks for it) and the hub's extension there."""
    a = hub.people[0]
    found = json.loads(hub.run_code(a, SERVER_IMPORTS).strip().splitlines()[-1])
    assert found["loaded"] == [], found["loaded"]
    assert {"date-time", "uri", "uri-reference", "email", "ipv4"} <= set(found["formats"]), found["formats"]
    assert hub.as_user(a, "GET", f"/user/{a}/lsp/status").status == 200
    lab = hub.as_user(a, "GET", f"/user/{a}/lab")
    assert lab.status == 200, lab.status
    manager = _page_config(lab.text)["extensionManager"]
    assert manager["name"] == "read-only" and not manager["can_install"], manager
    assert hub.as_user(a, "GET", f"/user/{a}/api/terminals").status == 200
    assert hub.as_user(a, "GET", f"/user/{a}/api/contents/00_start_here.ipynb").status == 200
    log = hub.log_path.read_text(encoding="utf-8", errors="replace")
    assert "notebook_shim | extension was successfully loaded" not in log
    for extension in ("jupyterlab", "voila.server_extension", "jupyter_server_terminals", "jupyter_lsp", "jupyterhub"):
        assert f"{extension} | extension was successfully loaded" in log, extension


#: A stand-in for node, first on PATH, that notes each run and hands over to the real one.
FAKE_NODE = """#!/bin/sh
echo "$@" >> {ran}
exec {node} "$@"
"""

KERNEL_PATH = """
import json, os, shutil
print(json.dumps({"path": os.environ["PATH"], "node": shutil.which("node")}))
"""


def test_the_server_starts_without_asking_node_and_passes_its_path_on(hub, workbooks, tmp_path):
    """singleuser.py imports JupyterLab with node off PATH (JupyterLab would run it to ask yarn for an
    npm registry), then restores PATH: the kernels get the hub's PATH, node included."""
    a = hub.people[0]
    pid = hub.server_pid(a)  # forked from the pre-started server, which imports through singleuser.py
    assert str(hub.deploy / "prefork.py") in Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    assert "singleuser.import_lab()" in (hub.deploy / "prefork.py").read_text(encoding="utf-8")
    node = shutil.which("node")
    assert node, "node is on the hub's machine (for the proxy)"
    folder = tmp_path / "bin"
    folder.mkdir()
    ran = tmp_path / "ran"
    (folder / "node").write_text(FAKE_NODE.format(ran=ran, node=node), encoding="utf-8")
    (folder / "node").chmod(0o755)
    env = {"PATH": f"{folder}:{PREFIX / 'venv' / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    python = str(PREFIX / "venv" / "bin" / "python")
    out = subprocess.run([python, str(hub.deploy / "singleuser.py"), "--version"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    assert out.stdout.strip(), out
    assert not ran.exists(), ran.read_text()
    subprocess.run([python, "-c", "import jupyterlab.labapp"], env=env, cwd=tmp_path, timeout=120, check=True)
    assert "config --json" in ran.read_text()  # JupyterLab imported as it is asks node
    found = json.loads(hub.run_code(a, KERNEL_PATH).strip().splitlines()[-1])
    assert found["path"] == f"{PREFIX / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin", found
    assert found["node"], found  # kernels and terminals still find node


#: What a server's kernel knows of the server's environment (the kernel inherits it).
SERVER_ENV = """
import json, os
print(json.dumps(dict(os.environ)))
"""


def test_each_server_is_forked_as_its_person_and_holds_nothing_of_the_others(hub, workbooks):
    """Forked from the pre-started server (root's, a process of the hub), each server is what the usual
    start makes: its person's ids and groups only, umask 077, a session of its own, the home folder, the
    environment the hub gave it; no descriptor of the pre-started server's; and no other person's token
    in its memory, nor any token in the pre-started server's."""
    prefork = _prefork_pid(hub)
    assert _ids(prefork, "Uid") == {0} and _stat(prefork)[1] == hub.process.pid
    theirs = _socket_inodes(prefork)
    assert theirs, "the pre-started server has its socket to the hub"
    tokens = {}
    for user in hub.people:
        pid = hub.server_pid(user)
        account = pwd.getpwnam(user)
        assert _stat(pid)[1] == prefork  # its parent: forked, not started by the hub
        assert _ids(pid, "Uid") == {account.pw_uid} and _ids(pid, "Gid") == {account.pw_gid}
        assert _groups(pid) == set(os.getgrouplist(user, account.pw_gid))
        assert _status_line_text(pid, "Umask") == "0077"
        assert _stat(pid)[3] == pid  # the leader of a session of its own
        assert os.readlink(f"/proc/{pid}/cwd") == account.pw_dir
        assert not theirs & _socket_inodes(pid), "a server holds the pre-started server's socket"
        assert Path(f"/proc/{pid}").stat().st_uid == account.pw_uid  # dumpable, like a program it started
        env = json.loads(hub.run_code(user, SERVER_ENV).strip().splitlines()[-1])
        assert env["USER"] == user and env["HOME"] == account.pw_dir and env["JUPYTERHUB_USER"] == user
        assert env["CAREER_WORKBOOK"] == str(hub.home(user) / "career-workbook" / "workbook.sqlite")
        assert not {"CONFIGPROXY_AUTH_TOKEN", "JPY_COOKIE_SECRET", "CAREER_HUB_STATE"} & set(env), sorted(env)
        tokens[user] = env["JUPYTERHUB_API_TOKEN"].encode()
        # JupyterLab computes where it keeps workspaces as it is imported (in the pre-started server,
        # as root): each server keeps them in its person's home all the same.
        workspace = {"data": {}, "metadata": {"id": "forked"}}
        saved = http("PUT", f"{hub.url}/user/{user}/lab/api/workspaces/forked", hub.users[user], workspace)
        assert saved.status == 204, (saved.status, saved.text[:300])
        assert hub.as_user(user, "GET", f"/user/{user}/lab/api/workspaces").status == 200
        kept = Path(account.pw_dir, ".jupyter", "lab", "workspaces")
        owners = {p.stat().st_uid for p in kept.glob("*forked*.jupyterlab-workspace")}
        assert owners == {account.pw_uid}, (kept, owners)
    assert len(set(tokens.values())) == len(tokens)
    # Each folder was prepared, and each server started, by the pre-started server.
    assert "the usual way" not in hub.log_path.read_text(encoding="utf-8", errors="replace")
    for user, token in tokens.items():
        assert _memory_holds(hub.server_pid(user), token)  # the search finds a token where it is
        assert not _memory_holds(prefork, token), f"the pre-started server holds {user}'s token"
        for other in hub.people:
            if other != user:
                assert not _memory_holds(hub.server_pid(other), token), f"{other}'s server holds {user}'s token"


def _ask(control, request: dict, env: dict) -> dict:
    """One request to a pre-started server, as spawner.py makes it: the environment on a pipe of its own."""
    read, write = os.pipe()
    os.write(write, json.dumps(env).encode())
    os.close(write)
    try:
        socket.send_fds(control, [json.dumps(request).encode()], [read])
    finally:
        os.close(read)
    return json.loads(control.recv(1 << 16))


def test_the_pre_started_server_refuses_root_and_ends_with_the_hub(hub, tmp_path):
    """prefork.py on its own, as the hub runs it: it forks no server as root (nor as anyone in group 0),
    a child that becomes a person runs the server's command with the environment it was given, and the
    pre-started server ends when its socket closes."""
    python = str(PREFIX / "venv" / "bin" / "python")
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    out = tmp_path / "out"
    with open(out, "wb") as sink:
        process = subprocess.Popen([python, str(hub.deploy / "prefork.py"), str(theirs.fileno())],
                                   pass_fds=[theirs.fileno()], env={"PATH": "/usr/bin:/bin"}, cwd="/",
                                   stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    theirs.close()
    try:
        ours.settimeout(120)
        ready = json.loads(ours.recv(1 << 16))
        assert "ready" in ready and "unusable" not in ready, ready  # nothing of root's home kept by an import
        argv = [str(hub.deploy / "singleuser.py"), "--version"]
        refused = _ask(ours, {"name": "root", "argv": argv, "umask": 0o077}, {"PATH": "/usr/bin:/bin"})
        assert refused.get("refused") and "root" in refused["error"], refused
        user = hub.people[0]
        env = {"PATH": f"{PREFIX / 'venv' / 'bin'}:/usr/bin:/bin", "HOME": str(hub.home(user))}
        forked = _ask(ours, {"name": user, "argv": argv, "umask": 0o077}, env)
        assert "pid" in forked, forked
        assert _until(lambda: _gone_or_zombie(forked["pid"])), "the forked --version did not end"
    finally:
        ours.close()
        try:
            assert process.wait(timeout=30) == 0  # its socket closed: it ends
        finally:
            if process.poll() is None:
                process.kill()
    printed = out.read_text(encoding="utf-8", errors="replace")
    assert re.search(r"^\d+\.\d+", printed, re.M), printed  # the person's child ran the server's --version


def test_only_the_centres_groups_may_log_in_and_no_system_account(hub):
    for user in (hub.outsider, hub.system):  # the system account is in the people's group
        status, url, _ = hub.browser().log_in(user, hub.passwords[user])
        assert "/hub/login" in url and f"/user/{user}" not in url, (user, status, url)
    assert "Login refused" in hub.log() and f"{hub.system!r} is a system account" in hub.log()
    status, url, _ = hub.browser().log_in(hub.people[0], "not the password")
    assert "/hub/login" in url, (status, url)


def test_no_server_for_an_outsider_or_a_system_account_even_when_an_administrator_adds_them(hub):
    refused = [hub.outsider, hub.system]
    assert pwd.getpwnam(hub.system).pw_uid < 1000 < pwd.getpwnam(hub.outsider).pw_uid
    hub.api("POST", "/users", {"usernames": refused}, expect=201)  # in the hub's database, past the login
    try:
        for user in refused:
            response = hub.api("POST", f"/users/{user}/server")
            assert response.status >= 400, (user, response.status, response.text[:300])
            model = hub.api("GET", f"/users/{user}", expect=200).json()
            assert not model["servers"] and not model["pending"], model
            assert f"the hub starts no server here: {user!r}" in hub.log()
            uid = pwd.getpwnam(user).pw_uid
            assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == uid]
            assert not (hub.home(user) / "career-workbook").exists()  # nothing was prepared for them
            assert not (hub.shared / user).exists()
    finally:
        for user in refused:
            hub.api("DELETE", f"/users/{user}")


def test_the_services_run_as_accounts_of_their_own(hub):
    services = hub.api("GET", "/services", expect=200).json()  # {name: model}
    accounts = {"idle-culler": hub.culler_user, "shared-reports": hub.reports_user}
    for name, marker in (("idle-culler", "jupyterhub_idle_culler"), ("shared-reports", "shared_reports.py")):
        pid = services[name]["pid"]
        assert pid, f"{name} is not running"
        assert marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode().replace("\0", " ")
        uids = _ids(pid, "Uid")
        gids = _ids(pid, "Gid")
        account = pwd.getpwnam(accounts[name])
        assert uids == {account.pw_uid} and gids == {account.pw_gid}, (name, uids, gids)
        assert 0 not in uids and 0 not in gids and account.pw_uid < 1000  # a system account, not root
        assert _groups(pid) <= {account.pw_gid}  # nor a member of the people's or coaches' groups
    assert f"--timeout={hub.idle_timeout}" in services["idle-culler"]["command"]


def test_coach_sees_who_is_active(hub, workbooks):
    response = hub.as_user(hub.coach, "GET", "/hub/api/users")
    assert response.status == 200
    users = {u["name"]: u for u in response.json()}
    assert set(hub.people) <= set(users)
    assert all(users[p]["last_activity"] for p in hub.people)


@pytest.fixture(scope="module")
def shared(hub, workbooks):
    """Person a shares the report without names, and (by mistake or on purpose) everything else."""
    a, b, _ = hub.people
    listed = json.loads(hub.run_code(a, SHARE_REPORT.format(contact=CONTACT, other_workbook=workbooks[b]["path"])))
    assert {"report.html", "contacts.csv", "calendar.ics"} <= set(listed), listed
    return f"/services/shared-reports/{a}"


def test_coach_reads_the_masked_report(hub, shared):
    a = hub.people[0]
    report = hub.as_user(hub.coach, "GET", f"{shared}/report.html")
    assert report.status == 200, report.text[:300]
    assert f"Path of {a}".encode() in report.body
    assert CONTACT.encode() not in report.body and b"Quenby" not in report.body  # masked
    assert "sandbox" in report.headers["Content-Security-Policy"]
    index = hub.as_user(hub.coach, "GET", "/services/shared-reports/")
    assert index.status == 200 and a.encode() in index.body
    listing = hub.as_user(hub.coach, "GET", f"{shared}/")
    assert listing.status == 200
    assert _links(listing.text) == ["report.html"]  # nothing else is even listed
    assert stat.S_IMODE((hub.shared / a / "report.html").stat().st_mode) == 0o640
    assert stat.S_IMODE((hub.shared / a / "contacts.csv").stat().st_mode) == 0o600


@pytest.mark.parametrize("name", NOT_SHARED)
def test_coach_gets_nothing_but_the_masked_report(hub, shared, name):
    response = hub.as_user(hub.coach, "GET", f"{shared}/{name}")
    assert response.status == 404, (name, response.status)
    assert CONTACT.encode() not in response.body and b"SQLite format" not in response.body
    assert b"secret note" not in response.body


def test_no_way_around_the_folders(hub, shared):
    a, b, _ = hub.people
    for path in (
        f"{shared}/../{b}/report.html",
        f"{shared}/..%2f{b}%2fcareer-workbook%2fworkbook.sqlite",
        f"{shared}/%2e%2e/{b}/report.html",
        "/services/shared-reports/..%2f..%2fetc%2fpasswd/",
        f"/services/shared-reports/{hub.reports_user}/",
        "/services/shared-reports/root/",
        f"/services/shared-reports/{a}%2f..%2f{b}/report.html",
    ):
        response = http("GET", f"{hub.url}{path}", hub.users[hub.coach])
        assert response.status in (403, 404), (path, response.status)
        assert CONTACT.encode() not in response.body and b"root:" not in response.body


def test_a_person_sees_only_their_own_folder(hub, shared):
    a, b, _ = hub.people
    assert hub.as_user(b, "GET", f"{shared}/report.html").status == 403
    assert hub.as_user(b, "GET", f"{shared}/").status == 403
    mine = hub.as_user(b, "GET", "/services/shared-reports/")
    assert mine.status == 200 and a.encode() not in mine.body
    assert hub.as_user(b, "GET", f"/services/shared-reports/{b}/").status == 200
    assert hub.as_user(a, "GET", f"{shared}/report.html").status == 200
    # In their own server the shared folder is ~/career-workbook/shared-reports.
    own = hub.as_user(a, "GET", f"/user/{a}/api/contents/shared-reports")
    assert own.status == 200 and "report.html" in {f["name"] for f in own.json()["content"]}


def test_the_coach_reaches_no_server_and_no_file(hub, workbooks, shared):
    a, b, _ = hub.people
    for user in (a, b):
        assert hub.as_user(hub.coach, "GET", f"/user/{user}/api/contents").status in (302, 403, 404)
        assert hub.as_user(hub.coach, "POST", f"/hub/api/users/{user}/server").status in (403, 404)
    assert hub.run_code(hub.coach, TRY_TO_READ.format(path=workbooks[a]["path"])).strip() == "PermissionError"
    shared_file = hub.shared / a / "report.html"
    assert hub.run_code(hub.coach, TRY_TO_READ.format(path=str(shared_file))).strip() == "PermissionError"
    # Nor another person: the shared folder's group is the reports service's alone.
    assert hub.run_code(b, TRY_TO_READ.format(path=str(shared_file))).strip() == "PermissionError"


#: What the app page never shows: code, or the signs of a step that failed.
BROKEN = ("Traceback", "There was an error when executing cell", "could not be shown", "import workbook")


def _running_kernels(hub, user: str) -> list[str]:
    return [k["id"] for k in hub.as_user(user, "GET", f"/user/{user}/api/kernels").json()]


def _kernel_of(page) -> str:
    return page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def _until(condition, timeout_s: float = 30) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)
    return True


def _text(page, step: str) -> str:
    return " ".join(view(page, step).inner_text().split())


def _log_in(page, hub, person: str) -> None:
    """Log ``person`` in through the hub's login page, as they would; they land in the app."""
    page.goto(f"{hub.url}/hub/login", timeout=60_000)
    page.fill("input[name=username]", person)
    page.fill("input[name=password]", hub.passwords[person])
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"**/user/{person}/voila/render/career-workbook.ipynb*", timeout=120_000)


@pytest.mark.browser
def test_the_app_in_chromium_is_the_page_of_career_workbook_app_and_stays_on_the_machine(hub, workbooks, chromium):
    """Log in with the form, land in the app page: its steps through the step bar and the address, the
    demo switch, one kernel, stopped when the page is left; nothing requested from another host."""
    c = hub.people[2]
    own = str(hub.home(c) / "career-workbook" / "workbook.sqlite")
    app = f"{hub.url}/user/{c}/voila/render/career-workbook.ipynb"
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    attempted = []

    def only_this_machine(route):
        attempted.append(route.request.url)
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_this_machine)
    page = _watched(context.new_page())
    try:
        _log_in(page, hub, c)
        wait_shown(page, "00_start_here", ready=STEPS["00_start_here"])
        bar = page.locator(".cw-stepbar button")
        assert [bar.nth(i).inner_text() for i in range(bar.count())] == [
            f"{s[:2]} {s[3:].replace('_', ' ').capitalize()}" for s in STEPS
        ]
        text = _text(page, "00_start_here")
        assert "Using your workbook:" in text and own in text

        # The step bar: one step at a time, named in the address.
        show_step(page, "01_options_and_criteria", ready="Save option")
        assert urlsplit(page.url).path == f"/user/{c}/voila/render/career-workbook.ipynb"
        assert "step=options-and-criteria" in urlsplit(page.url).query
        assert [s for s in STEPS if view(page, s).is_visible()] == ["01_options_and_criteria"]
        assert own in _text(page, "01_options_and_criteria")

        # The demo switch: every step opened after it shows the demo; never the person's workbook.
        show_step(page, "00_start_here")
        button(page, "The demo (fictional example)").click()
        page.locator(".cw-status", has_text="Every step you open now shows the demo workbook").first.wait_for(
            timeout=60_000
        )
        show_step(page, "06_compare_paths", ready=STEPS["06_compare_paths"][0])
        text = _text(page, "06_compare_paths")
        assert "Using the demo workbook (fictional example):" in text and "3 options" in text and own not in text
        # JupyterLab's kernels, on the same server, keep to the person's own workbook.
        opened = hub.run_code(c, "from workbook.notebook import start\nprint(start(show=False).path)")
        assert opened.strip() == own
        first = _kernel_of(page)

        # An address names a step: a new visit opens at it (building only that one), on their own workbook.
        page.goto(f"{app}?step=06", timeout=60_000)
        wait_shown(page, "06_compare_paths")
        assert [s for s in STEPS if view(page, s).count()] == ["06_compare_paths"]
        text = _text(page, "06_compare_paths")
        assert "Using your workbook:" in text and own in text
        show_step(page, "02_who_to_ask")
        assert "step=who-to-ask" in urlsplit(page.url).query
        page.reload()  # the address the step bar wrote: the same step again, and only that one
        wait_shown(page, "02_who_to_ask")
        assert [s for s in STEPS if view(page, s).count()] == ["02_who_to_ask"]
        body = page.inner_text("body")
        assert not [broken for broken in BROKEN if broken in body]

        # The whole app is one kernel; the pages left behind stopped theirs, and so does this one.
        kernel = _kernel_of(page)
        assert _until(lambda: _running_kernels(hub, c) == [kernel]), (first, kernel, _running_kernels(hub, c))
        page.close(run_before_unload=True)
        assert _until(lambda: _running_kernels(hub, c) == []), _running_kernels(hub, c)
    finally:
        context.close()
    foreign = [u for u in attempted if urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    assert foreign == [], foreign
    assert page.console_errors == [], page.console_errors
    assert page.dialogs == []


@pytest.mark.browser
def test_a_guided_notebook_opens_and_runs_in_jupyterlab_on_the_hub(hub, workbooks, chromium):
    """JupyterLab, one click from the app, on the lighter server: a guided notebook opens from the
    person's folder, runs, and shows its form; no error in the page (nothing asks for the extensions
    left out)."""
    b = hub.people[1]
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = _watched(context.new_page())
    try:
        _log_in(page, hub, b)
        page.goto(f"{hub.url}/user/{b}/lab/tree/01_options_and_criteria.ipynb", timeout=60_000)
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=120_000)
        # Its kernel (the notebook names it) started and idle, as the toolbar shows.
        # Lab shows "No Kernel" until the notebook's session has its kernel (slow on a busy machine).
        kernel = page.locator(".jp-Toolbar-kernelName").first
        deadline = time.monotonic() + 120
        while "No Kernel" in kernel.inner_text() or not kernel.inner_text().strip():
            assert time.monotonic() < deadline, "the notebook never got its kernel"
            page.wait_for_timeout(250)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=120_000)
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
        # The notebook's last form: JupyterLab puts only the cells near the view on the page, so the
        # notebook is scrolled down (as a person reads on) until the form is there.
        save = page.locator("button.jupyter-button", has_text="Save weights").filter(visible=True)
        page.locator(".jp-NotebookPanel .jp-Cell").first.hover()
        deadline = time.monotonic() + 120
        while not save.count():
            text = page.inner_text(".jp-NotebookPanel")
            dialogs = page.locator(".jp-Dialog").all_inner_texts()  # e.g. lab asking for a kernel
            assert "Traceback" not in text and not dialogs and time.monotonic() < deadline, (
                f"no weights form; dialogs {dialogs}; the notebook shows:\n{text[-2000:]}"
            )
            page.mouse.wheel(0, 800)
            page.wait_for_timeout(300)
        assert "Traceback" not in page.inner_text(".jp-NotebookPanel")
    finally:
        context.close()
    assert page.console_errors == [], page.console_errors
    assert page.dialogs == []


def test_a_stopped_server_is_gone_and_the_pre_started_server_comes_back_after_it_ended(hub, workbooks):
    """Stopping a forked server ends it (nothing left behind); when the pre-started server dies, servers
    forked from it keep running and still stop, the next start is the usual one (the hub's log says
    why), and a new pre-started server forks the ones after that."""
    a, _, c = hub.people
    prefork = _prefork_pid(hub)
    first = hub.server_pid(c)
    _stop(hub, c)
    assert not Path(f"/proc/{first}").exists()  # collected, not a zombie
    os.kill(prefork, signal.SIGKILL)
    assert _until(lambda: _gone_or_zombie(prefork)), "the pre-started server did not end"
    assert hub.as_user(a, "GET", f"/user/{a}/api/contents").status == 200  # a's server, forked from it, runs
    hub.start_server(c)
    usual = hub.server_pid(c)
    assert _stat(usual)[1] == hub.process.pid  # started the usual way, by the hub
    assert str(hub.deploy / "singleuser.py") in Path(f"/proc/{usual}/cmdline").read_bytes().decode().split("\0")
    assert _ids(usual, "Uid") == {_uid(c)} and _status_line_text(usual, "Umask") == "0077"
    log = hub.log_path.read_text(encoding="utf-8", errors="replace")
    assert f"Preparing {c}'s start the usual way: the pre-started server is unavailable" in log
    assert f"Starting {c}'s server the usual way: the pre-started server is unavailable" in log
    _stop(hub, c)
    deadline = time.monotonic() + 90
    while True:  # the new pre-started server forks the next start once it has imported
        hub.start_server(c)
        forked = hub.server_pid(c)
        if _stat(forked)[1] not in (prefork, hub.process.pid):
            break
        assert time.monotonic() < deadline, "no start was forked by a new pre-started server"
        _stop(hub, c)
        time.sleep(2)
    assert _stat(forked)[1] == _prefork_pid(hub) != prefork
    assert f"Pre-started server {prefork} ended" in hub.log_path.read_text(encoding="utf-8", errors="replace")
    orphan = hub.server_pid(a)  # forked by the server that died: it still stops, and starts again
    _stop(hub, a)
    assert _gone_or_zombie(orphan)
    hub.start_server(a)


def _owner(proc: Path) -> int | None:
    try:
        return proc.stat().st_uid
    except OSError:
        return None


def _status_line(pid: int, key: str) -> list[int]:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return [int(x) for x in line.split()[1:]]
    return []


def _ids(pid: int, key: str) -> set[int]:
    """Real, effective, saved and filesystem ids of a process (``Uid`` or ``Gid``)."""
    return set(_status_line(pid, key))


def _groups(pid: int) -> set[int]:
    return set(_status_line(pid, "Groups"))


def _status_line_text(pid: int, key: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return line.split(":", 1)[1].strip()
    return ""


def _stat(pid: int) -> list[int | str]:
    """State, parent, process group and session of a process (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return [fields[0], int(fields[1]), int(fields[2]), int(fields[3])]


def _gone_or_zombie(pid: int) -> bool:
    try:
        return _stat(pid)[0] == "Z"
    except OSError:
        return True


def _prefork_pid(hub) -> int:
    """The hub's pre-started server: the one process running this hub's prefork.py."""
    marker = str(hub.deploy / "prefork.py").encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if (
                proc.name.isdigit()
                and marker in (proc / "cmdline").read_bytes().split(b"\0")
                and _ids(int(proc.name), "Uid") == {0}
                and _stat(int(proc.name))[0] != "Z"
            ):
                found.append(int(proc.name))
        except OSError:
            continue
    assert len(found) == 1, found
    return found[0]


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def _memory_holds(pid: int, needle: bytes) -> bool:
    """Whether ``needle`` is anywhere in the writable memory of process ``pid`` (read as root)."""
    with open(f"/proc/{pid}/maps", encoding="utf-8") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for line in maps:
            fields = line.split()
            if "w" not in fields[1]:
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            try:
                mem.seek(start)
                if needle in mem.read(end - start):
                    return True
            except (OSError, ValueError, OverflowError):
                continue
    return False


def _stop(hub, user: str, timeout: float = 60) -> None:
    """Stop ``user``'s server through the hub; until the hub says it stopped."""
    hub.api("DELETE", f"/users/{user}/server")
    deadline = time.monotonic() + timeout
    while hub.api("GET", f"/users/{user}", expect=200).json()["servers"]:
        assert time.monotonic() < deadline, f"{user}'s server did not stop"
        time.sleep(0.2)


def _links(page: str) -> list[str]:
    return re.findall(r"<a href='([^']+)'>", page)


def _uid(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_uid
