"""The career-centre deployment, for real: a JupyterHub on loopback, three people and a coach.

One hub for the module (see :mod:`harness`): people ``a``, ``b``, ``c`` and coach ``coach`` are
system users; each person's server is started through the hub's REST API and writes into its own
workbook from a kernel of that server. Then: the operating system keeps each workbook private, the
hub keeps each server private, and the coach sees who is active and the reports people shared,
never a workbook and never a server.

Needs root, ``useradd``, ``configurable-http-proxy`` and the environment of
``deploy/jupyterhub/install.sh``; without them it is skipped, except on CI (``$CI`` set) where
that is a failure.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from .harness import Hub, missing_prerequisites

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

SHARE_REPORT = """
import os, shutil, subprocess
shared = os.environ["CAREER_WORKBOOK_SHARED"]
subprocess.run(["career-workbook", "report", "-o", os.path.join(shared, "report.html")], check=True,
               capture_output=True)
# Things that must never reach the coach, whatever they are called:
shutil.copyfile(os.environ["CAREER_WORKBOOK"], os.path.join(shared, "workbook.sqlite"))
shutil.copyfile(os.environ["CAREER_WORKBOOK"], os.path.join(shared, "disguised.html"))
os.symlink({other_workbook!r}, os.path.join(shared, "linked.html"))
print(sorted(os.listdir(shared)))
"""


@pytest.fixture(scope="module")
def hub():
    reason = missing_prerequisites()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; the hub test must run on CI", pytrace=False)
        pytest.skip(reason)
    hub = Hub()
    try:
        hub.start(people=["a", "b", "c"], coaches=["coach"], outsiders=["out"])
        people = [f"{hub.tag}{name}" for name in "abc"]
        hub.start_servers([*people, f"{hub.tag}coach"])
        hub.people = people
        hub.coach = f"{hub.tag}coach"
        yield hub
    except BaseException:
        print(hub.log())
        raise
    finally:
        hub.stop()


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


def test_guided_notebooks_are_copied_once_and_edits_survive_a_restart(hub, workbooks):
    user = hub.people[2]
    start_here = hub.home(user) / "career-workbook" / "00_start_here.ipynb"
    copied = sorted(p.name for p in start_here.parent.glob("*.ipynb"))
    assert len(copied) == 9 and copied[0] == "00_start_here.ipynb", copied  # 00–07 and 08 · Settings
    hub.run_code(user, f"open({str(start_here)!r}, 'a').write('\\n')  # an edit of the person's own")
    edited = start_here.read_bytes()
    hub.api("DELETE", f"/users/{user}/server")
    hub.start_server(user)
    assert start_here.read_bytes() == edited


def test_a_server_cannot_read_anothers_workbook(hub, workbooks):
    a, b, _ = hub.people
    assert hub.run_code(a, TRY_TO_READ.format(path=workbooks[b]["path"])).strip() == "PermissionError"
    assert hub.run_code(b, TRY_TO_READ.format(path=workbooks[a]["path"])).strip() == "PermissionError"


def test_a_person_cannot_reach_anothers_server(hub, workbooks):
    a, b, _ = hub.people
    assert hub.as_user(a, "GET", f"/user/{a}/api/contents").status == 200  # their own: yes
    for path in (f"/user/{b}/api/contents/career-workbook", f"/user/{b}/api/kernels",
                 f"/user/{b}/voila/render/00_start_here.ipynb", f"/user/{b}/files/career-workbook/workbook.sqlite"):  # fmt: skip
        response = hub.as_user(a, "GET", path)
        assert response.status in (302, 403, 404), (path, response.status)
        assert b"secret note" not in response.body and b"SQLite format" not in response.body
    assert hub.as_user(a, "GET", "/hub/api/users").status == 403  # nor list the others
    assert hub.as_user(a, "POST", f"/hub/api/users/{b}/tokens").status in (403, 404)


def test_the_default_page_is_the_app_mode(hub):
    a = hub.people[0]
    response = hub.as_user(a, "GET", f"/user/{a}/")
    assert response.status == 302
    app = response.headers["Location"].rstrip("?")
    assert app.endswith(f"/user/{a}/voila/render/00_start_here.ipynb"), app
    page = hub.as_user(a, "GET", app)  # Voila runs the notebook as its owner, on their workbook
    assert page.status == 200, page.text[:500]
    assert b"informational interview" in page.body.lower()
    assert str(hub.home(a) / "career-workbook" / "workbook.sqlite").encode() in page.body


def test_a_person_logs_in_with_their_password_and_lands_in_the_app(hub, workbooks):
    a, b, _ = hub.people
    browser = hub.browser()
    status, url, body = browser.log_in(a, hub.passwords[a])
    assert status == 200 and url.endswith(f"/user/{a}/voila/render/00_start_here.ipynb"), (status, url)
    assert workbooks[a]["path"] in body  # the first cell shows which workbook is open: their own
    status, url, body = browser.get(f"/user/{b}/lab")
    assert status == 403, (status, url)
    assert "secret note" not in body


def test_only_the_centres_groups_may_log_in(hub):
    outsider = f"{hub.tag}out"
    status, url, _ = hub.browser().log_in(outsider, hub.passwords[outsider])
    assert "/hub/login" in url and f"/user/{outsider}" not in url, (status, url)
    status, url, _ = hub.browser().log_in(hub.people[0], "not the password")
    assert "/hub/login" in url, (status, url)


def test_the_idle_culler_and_the_reports_service_run_under_the_hub(hub):
    services = hub.api("GET", "/services", expect=200).json()  # {name: model}
    for name, marker in (("idle-culler", "jupyterhub_idle_culler"), ("shared-reports", "shared_reports.py")):
        pid = services[name]["pid"]
        assert pid, f"{name} is not running"
        assert marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode().replace("\0", " ")
    assert f"--timeout={hub.idle_timeout}" in services["idle-culler"]["command"]


def test_coach_sees_who_is_active(hub, workbooks):
    response = hub.as_user(hub.coach, "GET", "/hub/api/users")
    assert response.status == 200
    users = {u["name"]: u for u in response.json()}
    assert set(hub.people) <= set(users)
    assert all(users[p]["last_activity"] for p in hub.people)


def test_coach_reads_shared_reports_and_never_a_workbook(hub, workbooks):
    a, b, _ = hub.people
    listed = hub.run_code(a, SHARE_REPORT.format(other_workbook=workbooks[b]["path"]))
    assert "report.html" in listed
    reports = f"/services/shared-reports/{a}"

    report = hub.as_user(hub.coach, "GET", f"{reports}/report.html")
    assert report.status == 200, report.text[:300]
    assert f"Path of {a}".encode() in report.body
    assert "sandbox" in report.headers["Content-Security-Policy"]
    index = hub.as_user(hub.coach, "GET", "/services/shared-reports/")
    assert index.status == 200 and a.encode() in index.body
    for name in ("workbook.sqlite", "disguised.html", "linked.html"):
        response = hub.as_user(hub.coach, "GET", f"{reports}/{name}")
        assert response.status == 404, (name, response.status)
        assert b"SQLite format" not in response.body

    # The coach can reach no one's server or workbook, not even their own kernel can read one.
    for user in (a, b):
        assert hub.as_user(hub.coach, "GET", f"/user/{user}/api/contents").status in (302, 403, 404)
        assert hub.as_user(hub.coach, "POST", f"/hub/api/users/{user}/server").status in (403, 404)
    assert hub.run_code(hub.coach, TRY_TO_READ.format(path=workbooks[a]["path"])).strip() == "PermissionError"
    shared_file = hub.shared / a / "report.html"
    assert hub.run_code(hub.coach, TRY_TO_READ.format(path=str(shared_file))).strip() == "PermissionError"

    # Another person sees their own shared folder, never someone else's.
    assert hub.as_user(b, "GET", f"{reports}/report.html").status == 403
    assert hub.as_user(b, "GET", f"/services/shared-reports/{b}/").status == 200
    assert hub.as_user(a, "GET", f"{reports}/report.html").status == 200
    # In their own server the shared folder is ~/career-workbook/shared-reports.
    mine = hub.as_user(a, "GET", f"/user/{a}/api/contents/shared-reports")
    assert mine.status == 200 and "report.html" in {f["name"] for f in mine.json()["content"]}


def _uid(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_uid
