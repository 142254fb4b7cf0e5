# JupyterHub configuration for Career Workbook on one machine.
#
# Start:  /opt/career-workbook/venv/bin/jupyterhub -f /opt/career-workbook/jupyterhub_config.py
#
# One single-user server per person, run as that person's Unix account (LocalProcessSpawner):
#   - home folder 0700, workbook 0600 (the server runs with umask 077), so the operating system keeps
#     every workbook private; the hub's default roles let a person reach only their own server;
#   - the guided notebooks are copied into ~/career-workbook/ on first start, never over edits;
#   - $CAREER_WORKBOOK = ~/career-workbook/workbook.sqlite;
#   - the app mode (Voila) is the default page; JupyterLab stays one click away at /user/<name>/lab;
#   - servers idle for an hour are stopped (jupyterhub-idle-culler);
#   - a "coach" role sees who is active and reads the reports people chose to share
#     (/srv/career-workbook/shared-reports/<person>/, served by the shared-reports service),
#     never a workbook and never a person's server.
#
# Settings come from environment variables, each with the default of deploy/jupyterhub/install.sh:
#   CAREER_HUB_PREFIX        /opt/career-workbook               the venv, notebooks, this file
#   CAREER_HUB_STATE         /srv/jupyterhub                    hub database and cookie secret
#   CAREER_HUB_SHARED        /srv/career-workbook/shared-reports
#   CAREER_HUB_PEOPLE_GROUP  career-people                      Unix group allowed to log in
#   CAREER_HUB_COACH_GROUP   career-coaches                     Unix group given the coach role
#   CAREER_HUB_ADMINS        (none)                             comma-separated hub administrators
#   CAREER_HUB_BIND_URL      http://:8000                       where people connect (put TLS in front)
#   CAREER_HUB_DEFAULT_URL   /voila/render/00_start_here.ipynb  or /lab for JupyterLab
#   CAREER_HUB_IDLE_TIMEOUT  3600                               seconds before an idle server stops
#   CAREER_HUB_REPORTS_PORT  10101                              loopback port of the reports service
# A site can add its own settings (an OAuth login, TLS, limits) at the end of this file, or in a
# second file loaded after this one: `jupyterhub -f site_config.py` with
# `load_subconfig("/opt/career-workbook/jupyterhub_config.py")` as its first line.

import asyncio
import grp
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
DEFAULT_URL = setting("CAREER_HUB_DEFAULT_URL", "/voila/render/00_start_here.ipynb")
IDLE_TIMEOUT = int(setting("CAREER_HUB_IDLE_TIMEOUT", "3600"))
REPORTS_PORT = int(setting("CAREER_HUB_REPORTS_PORT", "10101"))
#: Each person's folder in their home: the notebooks, the workbook; the server's root folder.
FOLDER = "career-workbook"
WORKBOOK = "workbook.sqlite"

if not (VENV_BIN / "jupyterhub-singleuser").exists():
    sys.exit(
        f"jupyterhub_config.py: no {VENV_BIN / 'jupyterhub-singleuser'}; run deploy/jupyterhub/install.sh "
        "first (or set CAREER_HUB_PREFIX to where it installed the environment)"
    )
if not NOTEBOOKS.is_dir():
    sys.exit(f"jupyterhub_config.py: no guided notebooks in {NOTEBOOKS}; run deploy/jupyterhub/install.sh")


def group_members(name: str) -> set[str]:
    """Members of a Unix group (listed in /etc/group), or nobody if the group does not exist."""
    try:
        return set(grp.getgrnam(name).gr_mem)
    except KeyError:
        return set()


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
c.LocalAuthenticator.allowed_groups = {PEOPLE_GROUP, COACH_GROUP}
c.Authenticator.admin_users = ADMINS
# Administrators manage the hub; they do not need to read anyone's server.
c.JupyterHub.admin_access = False

# ------------------------------------------------------------------ each person's server
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = f"~/{FOLDER}"
c.Spawner.default_url = DEFAULT_URL
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
}

#: Runs as the person (never as root, so a link planted in their home cannot redirect a root write):
#: home 0700, ~/career-workbook 0700, each guided notebook copied only where there is none yet.
_FIRST_START = """
import os, shutil, sys
home, folder, source = sys.argv[1:4]
os.chmod(home, 0o700)
os.makedirs(folder, mode=0o700, exist_ok=True)
os.chmod(folder, 0o700)
for name in sorted(os.listdir(source)):
    target = os.path.join(folder, name)
    if name.endswith(".ipynb") and not os.path.lexists(target):
        shutil.copyfile(os.path.join(source, name), target)
        os.chmod(target, 0o600)
link = os.path.join(folder, "shared-reports")
if not os.path.lexists(link) and len(sys.argv) > 4:
    os.symlink(sys.argv[4], link)
"""


def _shared_folder(user: pwd.struct_passwd) -> Path:
    """/srv/career-workbook/shared-reports/<person>: theirs (0700), read by the shared-reports service."""
    folder = SHARED / user.pw_name
    if not SHARED.is_dir():
        raise RuntimeError(f"{SHARED} is missing; run deploy/jupyterhub/install.sh")
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        os.mkdir(folder, 0o700)
        os.chown(folder, user.pw_uid, user.pw_gid)
        info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != user.pw_uid:
        raise RuntimeError(f"{folder} is not a folder owned by {user.pw_name}; move it aside and start again")
    return folder


async def pre_spawn_hook(spawner):
    """Before each start: the person's private folders and, on the first start, the guided notebooks."""
    name = spawner.user.name
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError(f"{name!r} has no account on this machine (useradd -m -G {PEOPLE_GROUP} {name})") from None
    if user.pw_uid == 0:
        raise RuntimeError("the hub does not start servers for root")
    home = Path(user.pw_dir)
    if not home.is_dir():
        raise RuntimeError(f"{name}'s home folder {home} does not exist (useradd -m creates it)")
    shared = _shared_folder(user)
    process = await asyncio.create_subprocess_exec(
        str(VENV_BIN / "python"), "-I", "-c", _FIRST_START, str(home), str(home / FOLDER), str(NOTEBOOKS), str(shared),
        user=user.pw_uid, group=user.pw_gid, extra_groups=[], umask=0o077, cwd="/",
        env={"PATH": "/usr/bin:/bin", "HOME": str(home)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    if process.returncode != 0:
        raise RuntimeError(f"preparing {name}'s folder failed: {stderr.decode(errors='replace').strip()[-500:]}")


c.Spawner.pre_spawn_hook = pre_spawn_hook

# ------------------------------------------------------------------ services and roles
c.JupyterHub.services = [
    {
        # Stops servers nobody has used for IDLE_TIMEOUT seconds (the workbook is saved on every form).
        "name": "idle-culler",
        "command": [str(VENV_BIN / "python"), "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}"],
    },
    {
        # The reports people chose to share, for coaches (and each person, their own).
        "name": "shared-reports",
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
