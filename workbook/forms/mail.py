"""Send a drafted message from your own mail: a "write in my mail app" link and a copy button.

:class:`SendBox` shows both under a draft. Nothing is sent by the workbook:
the link opens a new message in the user's mail program (``mailto:``), the
button puts the text on the clipboard. Every piece of text in the widget's HTML
is escaped; the button's script is a fixed string that reads the text from an
escaped attribute, so a message can never become markup or code.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..outreach.mail import MailDraft, mail_draft
from .base import no_maths

COPY_LABEL = "Copy the message"
#: The copy button's script: the clipboard API where the page may use it, else a hidden text area.
_COPY_SCRIPT = (
    "(function(b){var t=b.getAttribute('data-text');"
    "function done(){b.textContent='Copied';setTimeout(function(){b.textContent=b.getAttribute('data-label')},2000);}"
    "function old(){var a=document.createElement('textarea');a.value=t;a.setAttribute('readonly','');"
    "a.style.position='fixed';a.style.opacity='0';document.body.appendChild(a);a.select();"
    "try{document.execCommand('copy');done();}catch(e){}document.body.removeChild(a);}"
    "if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(t).then(done,old);}else{old();}"
    "})(this)"
)
_BUTTON_STYLE = "margin-left:1em;padding:2px 10px;cursor:pointer"


class SendBox(widgets.HTML):
    """The link to write a draft in the user's mail app, and a button to copy it. ``draft`` is what it shows."""

    def __init__(self, **kwargs: Any):
        super().__init__(value="", **kwargs)
        self.draft: MailDraft | None = None

    def show(self, text: str, to: str = "", who: str = "") -> None:
        """Offer ``text`` (a draft with a ``Subject:`` line first) to ``who`` at the address ``to``."""
        if not str(text or "").strip():
            self.clear()
            return
        self.draft = mail_draft(text, to, who)
        link = f"Write to {who} in my mail app" if who else "Write in my mail app"
        note = f'<div class="cw-send-note">{html.escape(self.draft.note)}</div>' if self.draft.note else ""
        self.value = no_maths(
            '<div class="cw-send">'
            f'<a class="cw-mailto" href="{html.escape(self.draft.url, quote=True)}">✉ {html.escape(link)}</a>'
            f'<button type="button" class="cw-copy" style="{_BUTTON_STYLE}" '
            f'data-label="{html.escape(COPY_LABEL, quote=True)}" '
            f'data-text="{html.escape(self.draft.text, quote=True)}" '
            f'onclick="{html.escape(_COPY_SCRIPT, quote=True)}">{html.escape(COPY_LABEL)}</button>'
            f"{note}"
            "<div><small>Nothing is sent from here: the link opens a new message in your own mail program, "
            "ready for you to check and send.</small></div>"
            "</div>"
        )

    def clear(self) -> None:
        self.draft = None
        self.value = ""
