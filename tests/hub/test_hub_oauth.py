"""The README's single sign-on recipe keeps the centre's gate: a real hub behind a stand-in identity provider.

The site file is the README's block ("Another login") as it is written, with the provider's settings
added below it as a centre would. The provider signs in anyone asked of it; the hub must let in only
accounts of the machine in the centre's groups, never a system account, never a name with no account.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from .harness import Hub, require_prerequisites
from .idp import IdentityProvider

pytestmark = [pytest.mark.hub, pytest.mark.slow]

README = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub" / "README.md"


def readme_recipe() -> str:
    """The first Python block under "### Another login" in the deployment README."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Another login") :]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "no python block under 'Another login'"
    return found.group(1)


@pytest.fixture(scope="module")
def sso():
    require_prerequisites()
    with IdentityProvider() as idp, Hub(site_config=f"{readme_recipe()}\n{idp.site_settings()}\n") as hub:
        hub.start(people=["p"], coaches=["k"], outsiders=["o"], system=["s"])
        hub.idp = idp
        yield hub


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(hub: Hub, name: str) -> tuple[int, str, urllib.request.OpenerDirector]:
    """Go through the hub's OAuth login as ``name``: (status of the hub's callback, where it sends on, browser)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar()), _Stay, urllib.request.ProxyHandler({})
    )

    def get(url: str) -> tuple[int, str]:
        try:
            with opener.open(url, timeout=60) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.headers.get("Location", "")

    hub.idp.next_user = name
    status, to_provider = get(f"{hub.url}/hub/oauth_login")
    assert status == 302 and to_provider.startswith(hub.idp.url), (status, to_provider)
    status, back = get(to_provider)
    assert status == 302 and back.startswith(f"{hub.url}/hub/oauth_callback"), (status, back)
    status, onwards = get(back)
    return status, onwards, opener


def logged_in_as(hub: Hub, opener) -> str | None:
    try:
        with opener.open(f"{hub.url}/hub/home", timeout=60) as response:
            return response.read().decode() if response.status == 200 else None
    except urllib.error.HTTPError as exc:
        exc.close()
        return None


def full_log(hub: Hub) -> str:
    return hub.log_path.read_text(encoding="utf-8", errors="replace")


def test_the_hub_runs_the_readmes_recipe(sso):
    assert 'load_subconfig("/opt/career-workbook/jupyterhub_config.py")' in readme_recipe()
    assert "Using Authenticator: oauthenticator.generic.LocalGenericOAuthenticator" in full_log(sso)


@pytest.mark.parametrize("who", ["p", "k"])
def test_people_and_coaches_of_the_centre_sign_in(sso, who):
    name = f"{sso.tag}{who}"
    status, onwards, opener = sign_in(sso, name)
    assert status == 302, (status, onwards, sso.log())
    home = logged_in_as(sso, opener)
    assert home is not None and name in home


@pytest.mark.parametrize("who", ["o", "s", "ghost"])
def test_everyone_else_the_provider_signs_in_is_refused(sso, who):
    """Not in the centre's groups; a system account in the people's group; a name with no account at all."""
    name = f"{sso.tag}{who}"
    status, onwards, opener = sign_in(sso, name)
    assert status == 403, (who, status, onwards)
    assert logged_in_as(sso, opener) is None
    assert f"Login refused: {name!r}" in full_log(sso)
    users = {u["name"] for u in sso.api("GET", "/users", expect=200).json()}
    assert name not in users  # not even a record in the hub
