#!/usr/bin/env bash
# Install Career Workbook on JupyterHub on a fresh Debian 12 (or newer) machine. Run as root:
#
#     sudo bash deploy/jupyterhub/install.sh
#
# Idempotent: run it again after pulling a new version. What it does, and where:
#   - Debian packages: python3 (3.11 or newer), python3-venv, nodejs, npm
#   - configurable-http-proxy from npm (the hub's proxy), into /usr/bin
#   - a Python environment everyone's server can run: /opt/career-workbook/venv
#     (this package with its "hub" extra: JupyterHub, the idle culler, Voila, JupyterLab)
#   - the guided notebooks as shipped: /opt/career-workbook/notebooks (copied into each person's
#     home on their first start, never over their own edits)
#   - the hub configuration: /opt/career-workbook/jupyterhub_config.py (+ shared_reports.py)
#   - the hub's state (database, cookie secret): /srv/jupyterhub, root only
#   - shared reports: /srv/career-workbook/shared-reports/<person>/
#   - Unix groups career-people (may log in) and career-coaches (coach role)
#   - a systemd unit career-workbook-hub.service (not enabled: see the README)
#
# Environment overrides: CAREER_HUB_PREFIX (default /opt/career-workbook), CAREER_HUB_STATE
# (default /srv/jupyterhub), CAREER_HUB_SHARED (default /srv/career-workbook/shared-reports),
# CAREER_HUB_SKIP_APT=1 (the Debian packages are already there).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
checkout="$(cd "$here/../.." && pwd)"
prefix="${CAREER_HUB_PREFIX:-/opt/career-workbook}"
state="${CAREER_HUB_STATE:-/srv/jupyterhub}"
shared="${CAREER_HUB_SHARED:-/srv/career-workbook/shared-reports}"

fail() { echo "install.sh: $*" >&2; exit 1; }
step() { echo "==> $*"; }
# pip warns about every unreachable extra index on some machines; only real errors matter here.
pip_install() {
    "$prefix/venv/bin/python" -m pip install -q "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
}

[ "$(id -u)" -eq 0 ] || fail "run as root (sudo bash $0): it creates system folders, groups and a systemd unit"
[ -f "$checkout/pyproject.toml" ] && [ -d "$checkout/notebooks" ] \
    || fail "run it from a Career Workbook checkout (no pyproject.toml and notebooks/ at $checkout)"

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

# 2. The proxy.
if ! command -v configurable-http-proxy >/dev/null; then
    # configurable-http-proxy 5 needs Node 20; Debian 12's own Node is 18, which proxy 4.6 supports.
    node_major=$(node -p 'process.versions.node.split(".")[0]')
    proxy=configurable-http-proxy
    [ "$node_major" -ge 20 ] || proxy="configurable-http-proxy@^4.6"
    step "npm install -g $proxy (Node $(node --version))"
    npm install -g --no-fund --no-audit --loglevel=error "$proxy" >/dev/null
fi
command -v configurable-http-proxy >/dev/null \
    || fail "configurable-http-proxy is not on PATH after npm install -g (npm's global prefix: $(npm config get prefix))"

# 3. The environment every person's server runs (world-readable, owned by root).
step "Python environment in $prefix/venv"
install -d -m 0755 "$prefix"
[ -x "$prefix/venv/bin/python" ] || /usr/bin/python3 -m venv "$prefix/venv"
pip_install --upgrade pip
# Non-editable: the people's servers must not read the checkout.
pip_install "$checkout[hub]"
pip_install --no-deps --force-reinstall "$checkout"
chmod -R go+rX,go-w "$prefix/venv"

# 4. Notebooks, configuration, the shared-reports service.
step "notebooks and configuration in $prefix"
rm -rf "$prefix/notebooks.new"
install -d -m 0755 "$prefix/notebooks.new"
install -m 0644 "$checkout"/notebooks/*.ipynb "$prefix/notebooks.new/"
rm -rf "$prefix/notebooks" && mv "$prefix/notebooks.new" "$prefix/notebooks"
install -m 0644 "$here/jupyterhub_config.py" "$here/shared_reports.py" "$prefix/"

# 5. Groups, the hub's state, the shared reports.
for group in career-people career-coaches; do
    getent group "$group" >/dev/null || { step "groupadd $group"; groupadd --system "$group"; }
done
install -d -m 0700 -o root -g root "$state"
install -d -m 0755 -o root -g root "$(dirname "$shared")"
install -d -m 0711 -o root -g root "$shared"

# 6. A systemd unit, for running the hub as a service (optional).
if [ -d /etc/systemd/system ]; then
    cat > /etc/systemd/system/career-workbook-hub.service <<UNIT
[Unit]
Description=Career Workbook on JupyterHub
After=network.target

[Service]
User=root
Environment=PATH=$prefix/venv/bin:/usr/local/bin:/usr/bin:/bin
Environment=CAREER_HUB_PREFIX=$prefix CAREER_HUB_STATE=$state CAREER_HUB_SHARED=$shared
WorkingDirectory=$state
ExecStart=$prefix/venv/bin/jupyterhub -f $prefix/jupyterhub_config.py
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
fi

version=$("$prefix/venv/bin/python" -c 'import jupyterhub, voila; print(f"JupyterHub {jupyterhub.__version__}, Voila {voila.__version__}")')
echo "Installed: $version, configurable-http-proxy $(configurable-http-proxy --version)."
echo "Start the hub:  $prefix/venv/bin/jupyterhub -f $prefix/jupyterhub_config.py"
