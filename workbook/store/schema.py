"""Table definitions and the schema migrations registry.

The schema version is kept in SQLite's ``PRAGMA user_version``. Each migration
takes the workbook from version ``n - 1`` to ``n``; opening an older file runs
the missing ones in order, after a backup copy of the file has been made.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

#: Tables a user works with, in the order they are shown and exported.
TABLES: tuple[str, ...] = (
    "options",
    "criteria",
    "contacts",
    "insider_links",
    "contact_sources",
    "conversations",
    "conversation_events",
    "insights",
    "questions",
    "prep_questions",
    "settings",
)

_V1 = """
CREATE TABLE options (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'exploring',
    questions   TEXT NOT NULL DEFAULT '',
    archived    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE criteria (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    description TEXT NOT NULL DEFAULT '',
    weight      REAL NOT NULL DEFAULT 1.0 CHECK (weight >= 0),
    archived    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
    organization TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    profile_url  TEXT NOT NULL DEFAULT '',
    relationship TEXT NOT NULL DEFAULT '',
    strength     INTEGER NOT NULL DEFAULT 3 CHECK (strength BETWEEN 1 AND 5),
    referred_by  INTEGER REFERENCES contacts(id),
    source       TEXT NOT NULL DEFAULT 'manual',
    connected_on TEXT,
    notes        TEXT NOT NULL DEFAULT '',
    archived     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE TABLE insider_links (
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    option_id  INTEGER NOT NULL REFERENCES options(id),
    PRIMARY KEY (contact_id, option_id)
);
CREATE TABLE conversations (
    id           INTEGER PRIMARY KEY,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id),
    option_id    INTEGER NOT NULL REFERENCES options(id),
    status       TEXT NOT NULL DEFAULT 'planned',
    requested_on TEXT,
    followed_up_on TEXT,
    scheduled_at TEXT,
    duration_min INTEGER NOT NULL DEFAULT 20 CHECK (duration_min > 0),
    done_on      TEXT,
    thanked_on   TEXT,
    notes        TEXT NOT NULL DEFAULT '',
    archived     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE TABLE conversation_events (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    status          TEXT NOT NULL,
    changed_at      TEXT NOT NULL
);
CREATE TABLE insights (
    id              INTEGER PRIMARY KEY,
    option_id       INTEGER NOT NULL REFERENCES options(id),
    criterion_id    INTEGER NOT NULL REFERENCES criteria(id),
    stance          INTEGER NOT NULL CHECK (stance BETWEEN -2 AND 2),
    confidence      TEXT NOT NULL DEFAULT 'medium',
    source          TEXT NOT NULL DEFAULT 'interview',
    note            TEXT NOT NULL DEFAULT '',
    conversation_id INTEGER REFERENCES conversations(id),
    contact_id      INTEGER REFERENCES contacts(id),
    against_hopes   INTEGER NOT NULL DEFAULT 0,
    archived        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX insights_option ON insights(option_id, criterion_id);
CREATE INDEX conversations_contact ON conversations(contact_id);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_V2 = """
ALTER TABLE conversations ADD COLUMN debrief TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN still_interested TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN thank_you_note TEXT NOT NULL DEFAULT '';
CREATE TABLE questions (
    id         INTEGER PRIMARY KEY,
    text       TEXT NOT NULL CHECK (length(trim(text)) > 0),
    tiara      TEXT NOT NULL DEFAULT 'insights',
    topic      TEXT NOT NULL DEFAULT 'own',
    archived   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE prep_questions (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    position        INTEGER NOT NULL,
    text            TEXT NOT NULL CHECK (length(trim(text)) > 0),
    tiara           TEXT NOT NULL DEFAULT 'insights',
    archived        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX prep_questions_conversation ON prep_questions(conversation_id, position);
CREATE INDEX conversation_events_conversation ON conversation_events(conversation_id);
"""


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                conn.execute(statement)

    return run


_V3 = """
ALTER TABLE insights ADD COLUMN heard_from INTEGER REFERENCES contacts(id);
"""

# Each contact remembers every source it came from (typed in, LinkedIn, Google Contacts, Outlook, a vCard);
# contacts.source stays the first one. Existing contacts start with the source they have.
_V4 = """
CREATE TABLE contact_sources (
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    source     TEXT NOT NULL CHECK (length(trim(source)) > 0),
    created_at TEXT NOT NULL,
    PRIMARY KEY (contact_id, source)
);
INSERT INTO contact_sources (contact_id, source, created_at)
    SELECT id, source, created_at FROM contacts WHERE length(trim(source)) > 0
"""


#: version -> migration that brings a workbook from ``version - 1`` to ``version``.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _script(_V1),
    2: _script(_V2),
    3: _script(_V3),
    4: _script(_V4),
}

SCHEMA_VERSION: int = max(MIGRATIONS)
