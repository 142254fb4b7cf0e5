#!/usr/bin/env bash
# Install Career Workbook on JupyterHub on a fresh Debian 12 (or newer) machine. Run as root:
#
#     sudo bash deploy/jupyterhub/install.sh              # install, or update after a git pull
#     sudo bash deploy/jupyterhub/install.sh --uninstall  # remove what it installed (see below)
#
# Idempotent: run it again after pulling a new version. What it does, and where:
#   - Debian packages: python3 (3.11 or newer), python3-venv, nodejs, npm
#   - configurable-http-proxy from npm (the hub's proxy), into /usr/bin, unless there is one already
#   - a Python environment everyone's server can run: /opt/career-workbook/venv
#     (this package with its "hub" extra: JupyterHub, the idle culler, OAuthenticator, Voila, JupyterLab)
#   - the guided notebooks as shipped: /opt/career-workbook/notebooks (copied into each person's
#     home on their first start, never over their own edits)
#   - the hub configuration: /opt/career-workbook/jupyterhub_config.py (+ shared_reports.py, singleuser.py,
#     prefork.py, spawner.py)
#   - the hub's state (database, cookie secret): /srv/jupyterhub, root only
#   - shared reports: /srv/career-workbook/shared-reports/<person>/
#   - Unix groups career-people (may log in) and career-coaches (coach role)
#   - system accounts career-reports and career-culler, which the hub's two services run as (never root)
#   - a systemd unit career-workbook-hub.service (not enabled: see the README)
#
# --uninstall removes all of that except the Debian packages, and the groups while people are still
# in them. It never touches people's accounts, homes, notebooks or workbooks. Stop the hub first.
#
# Environment overrides (the same names jupyterhub_config.py reads): CAREER_HUB_PREFIX (default
# /opt/career-workbook), CAREER_HUB_STATE (/srv/jupyterhub), CAREER_HUB_SHARED
# (/srv/career-workbook/shared-reports), CAREER_HUB_PEOPLE_GROUP (career-people), CAREER_HUB_COACH_GROUP
# (career-coaches), CAREER_HUB_REPORTS_USER (career-reports), CAREER_HUB_CULLER_USER (career-culler),
# CAREER_HUB_SYSTEMD_UNIT (/etc/systemd/system/career-workbook-hub.service; empty: no unit),
# CAREER_HUB_SKIP_APT=1 (the Debian packages are already there).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
checkout="$(cd "$here/../.." && pwd)"
prefix="${CAREER_HUB_PREFIX:-/opt/career-workbook}"
state="${CAREER_HUB_STATE:-/srv/jupyterhub}"
shared="${CAREER_HUB_SHARED:-/srv/career-workbook/shared-reports}"
people_group="${CAREER_HUB_PEOPLE_GROUP:-career-people}"
coach_group="${CAREER_HUB_COACH_GROUP:-career-coaches}"
reports_user="${CAREER_HUB_REPORTS_USER:-career-reports}"
culler_user="${CAREER_HUB_CULLER_USER:-career-culler}"
unit="${CAREER_HUB_SYSTEMD_UNIT-/etc/systemd/system/career-workbook-hub.service}"
#: What this script installed that was not there before (so --uninstall removes only that).
record="$prefix/installed-by-install.sh"

fail() { echo "install.sh: $*" >&2; exit 1; }
step() { echo "==> $*"; }
# pip warns about every unreachable extra index on some machines; only real errors matter here.
pip_install() {
    "$prefix/venv/bin/python" -m pip install -q "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
}
usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; }

mode=install
case "${1:-}" in
    "") ;;
    --uninstall) mode=uninstall ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown option $1" ;;
esac
[ "$#" -le 1 ] || fail "one option at most"

[ "$(id -u)" -eq 0 ] || fail "run as root (sudo bash $0): it creates system folders, groups, accounts and a systemd unit"
for path in "$prefix" "$state" "$shared"; do
    case "${path%/}" in
        "" | /bin | /boot | /dev | /etc | /home | /lib | /opt | /proc | /root | /run | /sbin | /srv | /sys | /tmp | /usr | /var)
            fail "refusing to use ${path:-an empty path} as a location: it would be removed by --uninstall" ;;
        /*) ;;
        *) fail "$path: locations must be absolute paths" ;;
    esac
done
for name in "$people_group" "$coach_group" "$reports_user" "$culler_user"; do
    [[ "$name" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || fail "$name is not a valid user or group name"
done

# ------------------------------------------------------------------ uninstall
hub_running() {
    local pid
    pid=$(cat "$state/jupyterhub.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

group_members() {  # members of a group: listed in /etc/group, or having it as their primary group
    local gid line
    line=$(getent group "$1") || return 0
    gid=$(cut -d: -f3 <<<"$line")
    { cut -d: -f4 <<<"$line" | tr ',' '\n'; getent passwd | awk -F: -v g="$gid" '$4 == g {print $1}'; } \
        | { grep -v '^$' || true; } | sort -u
}

uninstall() {
    if [ -n "$unit" ] && [ -d /run/systemd/system ] && systemctl is-active --quiet "$(basename "$unit")"; then
        step "systemctl stop $(basename "$unit")"
        systemctl disable --now "$(basename "$unit")"
    fi
    if hub_running; then fail "the hub is running (pid $(cat "$state/jupyterhub.pid")); stop it first"; fi
    for account in "$reports_user" "$culler_user"; do
        if pgrep -u "$account" >/dev/null 2>&1; then
            fail "processes of $account still run (a hub's service?); stop the hub first"
        fi
    done

    local proxy=no
    grep -qx "proxy=npm" "$record" 2>/dev/null && proxy=yes
    if [ -n "$unit" ] && [ -f "$unit" ]; then
        step "remove $unit"
        rm -f "$unit"
        if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
    fi
    if [ -d "$prefix" ]; then
        [ -e "$prefix/jupyterhub_config.py" ] || [ -d "$prefix/venv" ] \
            || fail "$prefix does not look like an installation of this script (no jupyterhub_config.py, no venv); left alone"
        step "remove $prefix"
        rm -rf "$prefix"
    fi
    if [ -d "$state" ]; then
        step "remove $state (the hub's database and cookie secret)"
        rm -rf "$state"
    fi
    if [ -d "$shared" ]; then
        step "remove $shared (copies of reports people shared; their workbooks stay in their homes)"
        rm -rf "$shared"
        rmdir "$(dirname "$shared")" 2>/dev/null || true
    fi
    for account in "$reports_user" "$culler_user"; do
        if getent passwd "$account" >/dev/null; then
            step "userdel $account"
            userdel "$account"
        fi
        # its own group, if userdel left it
        if getent group "$account" >/dev/null && [ -z "$(group_members "$account")" ]; then groupdel "$account"; fi
    done
    for group in "$people_group" "$coach_group"; do
        getent group "$group" >/dev/null || continue
        members=$(group_members "$group" | paste -sd, -)
        if [ -n "$members" ]; then
            echo "Kept the group $group: $members still in it (remove them, then run --uninstall again)."
        else
            step "groupdel $group"
            groupdel "$group"
        fi
    done
    if [ "$proxy" = yes ] && command -v configurable-http-proxy >/dev/null; then
        step "npm uninstall -g configurable-http-proxy"
        npm uninstall -g --loglevel=error configurable-http-proxy >/dev/null
    fi
    echo "Uninstalled. Left in place: the Debian packages (python3-venv, nodejs, npm), and people's accounts,"
    echo "homes, notebooks and workbooks (~<name>/career-workbook/)."
}

if [ "$mode" = uninstall ]; then
    uninstall
    exit 0
fi

# ------------------------------------------------------------------ install
if [ ! -f "$checkout/pyproject.toml" ] || [ ! -d "$checkout/notebooks" ]; then
    fail "run it from a Career Workbook checkout (no pyproject.toml and notebooks/ at $checkout)"
fi

export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

# 1. Debian packages (Debian's own Python: root's or a personal Python is not readable by the people).
if [ "${CAREER_HUB_SKIP_APT:-0}" != 1 ]; then
    missing=()
    for pkg in python3 python3-venv; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    # Node from Debian (or an existing Node with its own npm, such as NodeSource's, is kept).
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
    if [ "${#missing[@]}" -gt 0 ]; then
        step "apt-get install ${missing[*]}"
        apt-get update -qq
        apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
fi
/usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || fail "/usr/bin/python3 is $(/usr/bin/python3 --version 2>&1); Career Workbook needs Python 3.11 or newer (Debian 12 or newer)"
command -v npm >/dev/null || fail "npm is not installed (apt-get install npm)"
install -d -m 0755 "$prefix"
touch "$record"

# 2. The proxy.
if ! command -v configurable-http-proxy >/dev/null; then
    # configurable-http-proxy 5 needs Node 20; Debian 12's own Node is 18, which proxy 4.6 supports.
    node_major=$(node -p 'process.versions.node.split(".")[0]')
    proxy=configurable-http-proxy
    [ "$node_major" -ge 20 ] || proxy="configurable-http-proxy@^4.6"
    step "npm install -g $proxy (Node $(node --version))"
    npm install -g --no-fund --no-audit --loglevel=error "$proxy" >/dev/null
    grep -qx "proxy=npm" "$record" || echo "proxy=npm" >> "$record"
fi
command -v configurable-http-proxy >/dev/null \
    || fail "configurable-http-proxy is not on PATH after npm install -g (npm's global prefix: $(npm config get prefix))"

# 3. The environment every person's server runs (world-readable, owned by root).
step "Python environment in $prefix/venv"
[ -x "$prefix/venv/bin/python" ] || /usr/bin/python3 -m venv "$prefix/venv"
pip_install --upgrade pip
# Non-editable: the people's servers must not read the checkout.
pip_install "${checkout}[hub]"
pip_install --no-deps --force-reinstall "$checkout"
# Every Jupyter server imports jsonschema's format checks (through jupyter_events), and jsonschema then
# imports rfc3987-syntax, brought by its "format-nongpl" extra, which builds some 35 parsers as it is
# imported: about 1 CPU-second of each person's server start, for the "iri" formats that no Jupyter
# schema uses. Without it jsonschema leaves that one format unchecked (`pip check` stays clean).
"$prefix/venv/bin/python" -m pip uninstall -y -q rfc3987-syntax 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
chmod -R go+rX,go-w "$prefix/venv"

# 4. Notebooks, configuration, the shared-reports service.
step "notebooks and configuration in $prefix"
rm -rf "$prefix/notebooks.new"
install -d -m 0755 "$prefix/notebooks.new"
install -m 0644 "$checkout"/notebooks/*.ipynb "$prefix/notebooks.new/"
rm -rf "$prefix/notebooks" && mv "$prefix/notebooks.new" "$prefix/notebooks"
install -m 0644 "$here/jupyterhub_config.py" "$here/shared_reports.py" "$here/singleuser.py" \
    "$here/prefork.py" "$here/spawner.py" "$prefix/"

# 5. Groups, the services' accounts, the hub's state, the shared reports.
for group in "$people_group" "$coach_group"; do
    getent group "$group" >/dev/null || { step "groupadd $group"; groupadd --system "$group"; }
done
for account in "$reports_user" "$culler_user"; do
    if ! getent passwd "$account" >/dev/null; then
        step "useradd $account (a system account for one of the hub's services)"
        useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            --comment "Career Workbook hub service" "$account"
    fi
    [ "$(id -u "$account")" -ne 0 ] || fail "$account is root; the hub's services must run as accounts of their own"
done
install -d -m 0700 -o root -g root "$state"
install -d -m 0755 -o root -g root "$(dirname "$shared")"
# Listed only by the shared-reports service (its group); people cross it to their own folder.
install -d -m 0751 -o root -g "$(id -gn "$reports_user")" "$shared"

# 6. A systemd unit, for running the hub as a service (optional).
if [ -n "$unit" ] && [ -d "$(dirname "$unit")" ]; then
    cat > "$unit" <<UNIT
[Unit]
Description=Career Workbook on JupyterHub
After=network.target

[Service]
User=root
Environment=PATH=$prefix/venv/bin:/usr/local/bin:/usr/bin:/bin
Environment=CAREER_HUB_PREFIX=$prefix CAREER_HUB_STATE=$state CAREER_HUB_SHARED=$shared
Environment=CAREER_HUB_PEOPLE_GROUP=$people_group CAREER_HUB_COACH_GROUP=$coach_group
Environment=CAREER_HUB_REPORTS_USER=$reports_user CAREER_HUB_CULLER_USER=$culler_user
WorkingDirectory=$state
ExecStart=$prefix/venv/bin/jupyterhub -f $prefix/jupyterhub_config.py
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
    if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
fi

version=$("$prefix/venv/bin/python" -c 'import jupyterhub, voila; print(f"JupyterHub {jupyterhub.__version__}, Voila {voila.__version__}")')
echo "Installed: $version, configurable-http-proxy $(configurable-http-proxy --version)."
echo "Start the hub:  $prefix/venv/bin/jupyterhub -f $prefix/jupyterhub_config.py"
