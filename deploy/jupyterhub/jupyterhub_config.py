# JupyterHub configuration for Career Workbook on one machine.
#
# Start:  /opt/career-workbook/venv/bin/jupyterhub -f /opt/career-workbook/jupyterhub_config.py
#
# One single-user server per person, run as that person's Unix account (LocalProcessSpawner):
#   - home folder 0700, workbook 0600 (the server runs with umask 077), so the operating system keeps
#     every workbook private; the hub's default roles let a person reach only their own server;
#   - the guided notebooks are kept in ~/career-workbook/ at each start by the package's own upgrade:
#     missing ones copied, untouched copies brought up to the installed version, edited ones kept
#     (with the new version beside them);
#   - $CAREER_WORKBOOK = ~/career-workbook/workbook.sqlite;
#   - the app mode (Voila) is the default page; JupyterLab stays one click away at /user/<name>/lab;
#   - the app mode is the page of `career-workbook app`: one page in one kernel, the guided notebooks
#     as its steps (a step bar, addresses such as ?step=compare-paths, the switch between one's
#     workbook and the demo), from the package's own Voila template (nothing loaded from other hosts);
#     its notebook, career-workbook.ipynb, is copied into ~/career-workbook/ at each start;
#   - only accounts of the machine in career-people or career-coaches get in, never a system account
#     (uid outside UID_MIN..UID_MAX of /etc/login.defs), whatever login is configured: checked after
#     every login (post_auth_hook) and again before every start (pre_spawn_hook);
#   - servers idle for an hour are stopped (jupyterhub-idle-culler, run as its own account);
#   - a "coach" role sees who is active and reads the masked reports people chose to share
#     (/srv/career-workbook/shared-reports/<person>/, served by the shared-reports service, run as
#     its own account), never a workbook and never a person's server.
#
# Settings come from environment variables, each with the default of deploy/jupyterhub/install.sh:
#   CAREER_HUB_PREFIX        /opt/career-workbook               the venv, notebooks, this file
#   CAREER_HUB_STATE         /srv/jupyterhub                    hub database and cookie secret
#   CAREER_HUB_SHARED        /srv/career-workbook/shared-reports
#   CAREER_HUB_PEOPLE_GROUP  career-people                      Unix group allowed to log in
#   CAREER_HUB_COACH_GROUP   career-coaches                     Unix group given the coach role
#   CAREER_HUB_ADMINS        (none)                             comma-separated hub administrators
#   CAREER_HUB_BIND_URL      http://:8000                       where people connect (put TLS in front)
#   CAREER_HUB_DEFAULT_URL   /voila/render/career-workbook.ipynb (the app page), or /lab
#   CAREER_HUB_IDLE_TIMEOUT  3600                               seconds before an idle server stops
#   CAREER_HUB_REPORTS_PORT  10101                              loopback port of the reports service
#   CAREER_HUB_REPORTS_USER  career-reports                     account of the shared-reports service
#   CAREER_HUB_CULLER_USER   career-culler                      account of the idle culler
# A site can add its own settings (an OAuth login, TLS, limits) at the end of this file, or in a
# second file loaded after this one: `jupyterhub -f site_config.py` with
# `load_subconfig("/opt/career-workbook/jupyterhub_config.py")` as its first line.

import asyncio
import grp
import json
import os
import pwd
import stat
import subprocess
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file


def setting(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


PREFIX = Path(setting("CAREER_HUB_PREFIX", "/opt/career-workbook"))
VENV_BIN = PREFIX / "venv" / "bin"
NOTEBOOKS = PREFIX / "notebooks"
#: shared_reports.py lies beside this file (install.sh copies both into the prefix).
HERE = Path(__file__).resolve().parent  # __file__: set by the config loader
STATE = Path(setting("CAREER_HUB_STATE", "/srv/jupyterhub"))
SHARED = Path(setting("CAREER_HUB_SHARED", "/srv/career-workbook/shared-reports"))
PEOPLE_GROUP = setting("CAREER_HUB_PEOPLE_GROUP", "career-people")
COACH_GROUP = setting("CAREER_HUB_COACH_GROUP", "career-coaches")
ADMINS = {name.strip() for name in setting("CAREER_HUB_ADMINS", "").split(",") if name.strip()}
#: Each person's folder in their home: the notebooks, the workbook; the server's root folder.
FOLDER = "career-workbook"
WORKBOOK = "workbook.sqlite"
#: The app page, in FOLDER (Voila serves only notebooks under the server's root folder).
APP_PAGE = "career-workbook.ipynb"
DEFAULT_URL = setting("CAREER_HUB_DEFAULT_URL", f"/voila/render/{APP_PAGE}")
IDLE_TIMEOUT = int(setting("CAREER_HUB_IDLE_TIMEOUT", "3600"))
REPORTS_PORT = int(setting("CAREER_HUB_REPORTS_PORT", "10101"))
REPORTS_USER = setting("CAREER_HUB_REPORTS_USER", "career-reports")
CULLER_USER = setting("CAREER_HUB_CULLER_USER", "career-culler")
#: Where the machine says which user ids are people's (UID_MIN, UID_MAX); every other account is a system one.
LOGIN_DEFS = Path("/etc/login.defs")

if not (VENV_BIN / "jupyterhub-singleuser").exists():
    sys.exit(
        f"jupyterhub_config.py: no {VENV_BIN / 'jupyterhub-singleuser'}; run deploy/jupyterhub/install.sh "
        "first (or set CAREER_HUB_PREFIX to where it installed the environment)"
    )
for _beside in ("singleuser.py", "prefork.py", "spawner.py"):
    if not (HERE / _beside).is_file():
        sys.exit(f"jupyterhub_config.py: no {_beside} beside it in {HERE}; run deploy/jupyterhub/install.sh")
if not NOTEBOOKS.is_dir():
    sys.exit(f"jupyterhub_config.py: no guided notebooks in {NOTEBOOKS}; run deploy/jupyterhub/install.sh")


def group_members(name: str) -> set[str]:
    """Members of a Unix group (listed in /etc/group), or nobody if the group does not exist."""
    try:
        return set(grp.getgrnam(name).gr_mem)
    except KeyError:
        return set()


def account_range(login_defs: Path = LOGIN_DEFS) -> tuple[int, int]:
    """UID_MIN and UID_MAX of this machine: the user ids of people's accounts (Debian's defaults: 1000, 60000)."""
    found = {"UID_MIN": 1000, "UID_MAX": 60000}
    try:
        lines = login_defs.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        words = line.split()
        if len(words) >= 2 and words[0] in found and words[1].isdigit():
            found[words[0]] = int(words[1])
    return found["UID_MIN"], found["UID_MAX"]


def refusal(name: str) -> str | None:
    """Why ``name`` may not use the hub, or None for an account of a person or a coach of the centre."""
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        return f"{name!r} has no account on this machine (useradd -m -G {PEOPLE_GROUP} {name})"
    low, high = account_range()
    if not low <= user.pw_uid <= high:
        return (
            f"{name!r} is a system account (uid {user.pw_uid}; people's accounts are {low}-{high}, "
            "UID_MIN-UID_MAX in /etc/login.defs)"
        )
    allowed = set()
    for group in (PEOPLE_GROUP, COACH_GROUP):
        try:
            allowed.add(grp.getgrnam(group).gr_gid)
        except KeyError:
            continue
    if not allowed & set(os.getgrouplist(name, user.pw_gid)):
        return f"{name!r} is in neither {PEOPLE_GROUP} nor {COACH_GROUP} (usermod -aG {PEOPLE_GROUP} {name})"
    return None


def service_account(name: str) -> pwd.struct_passwd:
    """The account a service runs as: it must exist, and be neither root nor a person's account."""
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        sys.exit(f"jupyterhub_config.py: no account {name!r} for the hub's services; run deploy/jupyterhub/install.sh")
    if user.pw_uid == 0 or user.pw_gid == 0 or refusal(name) is None:
        sys.exit(f"jupyterhub_config.py: {name!r} must be a system account of its own, not root or a person")
    return user


REPORTS = service_account(REPORTS_USER)
service_account(CULLER_USER)


def _check_shared_root() -> None:
    """The shared reports' folder: root's, listed by the reports service's group only, crossed by the people."""
    try:
        info = os.lstat(SHARED)
    except FileNotFoundError:
        sys.exit(f"jupyterhub_config.py: {SHARED} is missing; run deploy/jupyterhub/install.sh")
    wanted = (0, REPORTS.pw_gid, 0o751)
    if not stat.S_ISDIR(info.st_mode) or (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) != wanted:
        sys.exit(
            f"jupyterhub_config.py: {SHARED} must be a folder of root, group {REPORTS_USER}, mode 0751; "
            "run deploy/jupyterhub/install.sh"
        )


_check_shared_root()


def _app_entry() -> dict:
    """How Voila serves the app page of `career-workbook app`, asked of the package the people's servers run.

    ``notebook``: the page; ``settings``: Voila's options; ``environment``: JUPYTER_PATH (the package's
    jupyter folder: the app's template, and the kernel spec it ships for JupyterLab too) and the folder
    of guided notebooks the page shows as steps (``~`` is expanded by the person's kernel). Nothing of
    the hub's own JUPYTER_PATH is passed on (``base={}``).
    """
    ask = (
        "import json; from workbook.cli.app import app_entry; "
        f"e = app_entry({'~/' + FOLDER!r}, base={{}}); "
        "print(json.dumps({'notebook': str(e.notebook), 'settings': e.settings, 'environment': e.environment}))"
    )
    found = subprocess.run(
        [str(VENV_BIN / "python"), "-I", "-c", ask], capture_output=True, text=True, timeout=120, check=False
    )
    if found.returncode != 0:
        sys.exit(f"jupyterhub_config.py: the package in {VENV_BIN.parent} does not answer: {found.stderr[-500:]}")
    return json.loads(found.stdout)


APP = _app_entry()


# ------------------------------------------------------------------ the hub
c.JupyterHub.bind_url = setting("CAREER_HUB_BIND_URL", "http://:8000")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
# The proxy and the hub talk on loopback only.
c.ConfigurableHTTPProxy.api_url = setting("CAREER_HUB_PROXY_API_URL", "http://127.0.0.1:8001")
c.JupyterHub.cleanup_servers = True

# ------------------------------------------------------------------ who may log in
# The machine's own accounts and passwords (PAM). People are members of career-people, coaches of
# career-coaches. For a university login, see "Another login" in the README.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {PEOPLE_GROUP, COACH_GROUP}
c.Authenticator.admin_users = ADMINS


def admit(authenticator, handler, authentication):
    """After every login, whatever the authenticator: only people and coaches of the centre (and administrators)."""
    name = authentication["name"]
    reason = refusal(name)
    if reason is None or name in ADMINS:
        return authentication
    authenticator.log.warning("Login refused: %s", reason)
    return None  # the login fails (the form says so; an OAuth login answers 403)


# The group gate of every login, also when a site file changes the authenticator: keep it.
c.Authenticator.post_auth_hook = admit
# Administrators manage the hub; they do not need to read anyone's server.
c.JupyterHub.admin_access = False

# ------------------------------------------------------------------ each person's server
# LocalProcessSpawner, whose servers are forked from one started ahead, which has imported what every
# server imports (spawner.py and prefork.py, beside this file): the same server, as the same account,
# for about a third of the CPU of a start. A start it cannot serve is started the usual way.
sys.path.insert(0, str(HERE))
from spawner import PreforkSpawner  # noqa: E402 - beside this file

c.JupyterHub.spawner_class = PreforkSpawner
# jupyterhub-singleuser, started without asking node for an npm registry (see singleuser.py, beside this file).
c.Spawner.cmd = [str(VENV_BIN / "python"), str(HERE / "singleuser.py")]
c.Spawner.notebook_dir = f"~/{FOLDER}"
c.Spawner.default_url = DEFAULT_URL
#: A server that starts with less work (twenty people starting at once share the machine's cores): no
#: shim mapping the classic notebook's settings (nothing here sets them), and JupyterLab's extension
#: manager read-only (people cannot install extensions into the shared environment; the PyPI manager
#: would set up its web client at each start and ask pypi.org). About 0.1 CPU-s of each start.
#: JupyterLab, Voila, terminals, the hub's extension and the language-server one (JupyterLab asks for
#: it as it opens) stay.
LEAN_SERVER = [
    '--ServerApp.jpserver_extensions={"notebook_shim": False}',
    "--LabApp.extension_manager=readonly",
]
# The app mode is the page of `career-workbook app`, served with the package's own settings (its Voila
# template, nothing from other hosts; code hidden; no tracebacks), and no MathJax, which Voila inside a
# Jupyter server would fetch from a CDN (the app, run by Voila itself, has none either). The hub
# authenticates people itself, so the app's own token is not needed here.
c.Spawner.args = [
    *APP["settings"],
    '--ServerApp.tornado_settings={"mathjax_url": None, "mathjax_config": None}',
    *LEAN_SERVER,
    # A file deleted in JupyterLab goes to the person's trash (~/.local/share/Trash), as on a laptop, and
    # can be brought back: jupyterhub-singleuser would delete it for good (a workbook deleted by mistake
    # would be lost with everything in it).
    "--FileContentsManager.delete_to_trash=True",
]
# Files the server and its kernels create are private to the person: workbook 0600, folders 0700.
c.LocalProcessSpawner.popen_kwargs = {"umask": 0o077}
# Nothing of the hub's own environment leaks into a person's server.
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def _home(spawner) -> Path:
    return Path(pwd.getpwnam(spawner.user.name).pw_dir)


c.Spawner.environment = {
    "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
    "CAREER_WORKBOOK": lambda spawner: str(_home(spawner) / FOLDER / WORKBOOK),
    "CAREER_WORKBOOK_SHARED": lambda spawner: str(SHARED / spawner.user.name),
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    # JUPYTER_PATH (Voila's template; the package's kernel spec, for JupyterLab's kernels as well) and
    # the guided notebooks the app page shows. Not $CAREER_WORKBOOK_APP: here JupyterLab's kernels share
    # the server with the app, and would follow the app's demo switch; the app page keeps the switch
    # itself while it is open, and each visit begins on the person's own workbook.
    **APP["environment"],
}

#: Runs as the person (never as root, so a link planted in their home cannot redirect a root write), with
#: the package they run: home 0700, ~/career-workbook 0700; the app page copied in (it holds nothing of
#: theirs); the guided notebooks brought up to the installed version by the package's own upgrade
#: (`career-workbook lab` does the same on a laptop): missing ones copied, copies nobody edited replaced,
#: edited ones kept with the new version beside them. A notebook that cannot be written is reported
#: (the hub logs it) but does not keep the person from their server and workbook.
_FIRST_START = """
import os, sys
from pathlib import Path
from workbook import files
from workbook.cli.launch import sync_notebooks
home, folder, source, page, shared = sys.argv[1:6]
os.chmod(home, 0o700)
os.makedirs(folder, mode=0o700, exist_ok=True)
os.chmod(folder, 0o700)
link = os.path.join(folder, "shared-reports")
if not os.path.lexists(link):
    os.symlink(shared, link)
try:
    files.write_text(Path(folder, os.path.basename(page)), Path(page).read_text(encoding="utf-8"))
except Exception as exc:
    print(f"the app page could not be copied into {folder}: {exc}", file=sys.stderr)
try:
    for notice in sync_notebooks(Path(source), Path(folder)).notices():
        print(notice)
except Exception as exc:
    print(f"the guided notebooks could not be brought up to date in {folder}: {exc}", file=sys.stderr)
"""

#: A person's shared folder: theirs, readable (never writable) by the shared-reports service's group; new
#: files in it get that group (setgid), and the package makes only a report without names readable by it.
SHARED_FOLDER_MODE = 0o2750


def _shared_folder(user: pwd.struct_passwd) -> Path:
    """/srv/career-workbook/shared-reports/<person>: theirs, group of the shared-reports service, 2750."""
    folder = SHARED / user.pw_name
    try:
        os.mkdir(folder, 0o700)
        made = True
    except FileExistsError:
        made = False
    try:  # never through a link: the checks and changes apply to the folder opened
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise RuntimeError(f"{folder} is not a folder ({exc.strerror}); move it aside and start again") from None
    try:
        if not made and os.fstat(fd).st_uid != user.pw_uid:
            raise RuntimeError(f"{folder} is not a folder owned by {user.pw_name}; move it aside and start again")
        os.fchown(fd, user.pw_uid, REPORTS.pw_gid)
        os.fchmod(fd, SHARED_FOLDER_MODE)
    finally:
        os.close(fd)
    return folder


async def pre_spawn_hook(spawner):
    """Before each start: only for the centre's people and coaches; their folders; the guided notebooks."""
    name = spawner.user.name
    reason = refusal(name)
    if reason is not None:
        raise RuntimeError(f"the hub starts no server here: {reason}")
    user = pwd.getpwnam(name)
    home = Path(user.pw_dir)
    if not home.is_dir():
        raise RuntimeError(f"{name}'s home folder {home} does not exist (useradd -m creates it)")
    shared = _shared_folder(user)
    args = [str(home), str(home / FOLDER), str(NOTEBOOKS), APP["notebook"], str(shared)]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    # Forked from the pre-started server (spawner.py), which has imported the package: a person, umask
    # 077, no supplementary group, in /, this environment only; or, when it cannot, a new Python.
    ran = await spawner.run_as_person(_FIRST_START, args, env) if hasattr(spawner, "run_as_person") else None
    if ran is None:
        process = await asyncio.create_subprocess_exec(
            str(VENV_BIN / "python"), "-I", "-c", _FIRST_START, *args,
            user=user.pw_uid, group=user.pw_gid, extra_groups=[], umask=0o077, cwd="/", env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
        ran = (process.returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace"))
    status, said, failed = ran[0], ran[1].strip(), ran[2].strip()
    if status != 0:
        raise RuntimeError(f"preparing {name}'s folder failed: {failed[-500:]}")
    for line in said.splitlines():
        spawner.log.info("%s's notebooks: %s", name, line)
    if failed:
        spawner.log.warning("preparing %s's folder: %s", name, failed[-1000:])


c.Spawner.pre_spawn_hook = pre_spawn_hook

# ------------------------------------------------------------------ services and roles
c.JupyterHub.services = [
    {
        # Stops servers nobody has used for IDLE_TIMEOUT seconds (the workbook is saved on every form).
        # Its own account: it holds a token that stops servers, and nothing else.
        "name": "idle-culler",
        "user": CULLER_USER,
        "cwd": "/",
        "command": [str(VENV_BIN / "python"), "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}"],
    },
    {
        # The masked reports people chose to share, for coaches (and each person, their own). Its own
        # account, whose group may read the shared folders and what the package made readable in them.
        "name": "shared-reports",
        "user": REPORTS_USER,
        "cwd": "/",
        "display": True,
        "url": f"http://127.0.0.1:{REPORTS_PORT}",
        "command": [str(VENV_BIN / "python"), str(HERE / "shared_reports.py")],
        "environment": {"CAREER_HUB_SHARED": str(SHARED), "CAREER_HUB_COACH_GROUP": COACH_GROUP},
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": ["read:users:groups"],
    },
]

c.JupyterHub.load_roles = [
    {
        # Everyone: their own server, and the shared-reports page (which shows them only their own).
        "name": "user",
        "scopes": ["self", "access:services!service=shared-reports"],
    },
    {
        # Coaches: who is on the hub and when they were last active; the shared reports. Deliberately
        # no access:servers, admin:* or tokens scope: a coach can never open a person's server.
        "name": "coach",
        "description": "See who is active; read the reports people chose to share",
        "scopes": [
            "list:users",
            "read:users:name",
            "read:users:activity",
            "read:users:groups",
            "read:servers",
            "access:services!service=shared-reports",
        ],
        # Exactly the members of the Unix group at the hub's start (restart the hub after a change;
        # the shared-reports service itself checks the Unix group on every request).
        "users": sorted(group_members(COACH_GROUP)),
    },
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
