-- Cases, their timeline, the durable outbox, and which pipeline route each message took.

CREATE TABLE case_counters (
    year      BIGINT PRIMARY KEY,
    last_seq  BIGINT NOT NULL
);

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    ref               TEXT NOT NULL UNIQUE,        -- KL-2026-0007
    status            TEXT NOT NULL,
    channel           TEXT NOT NULL,               -- email | formulier
    message_pk        BIGINT REFERENCES messages (id),
    complainant_addr  TEXT,
    complainant_name  TEXT,
    subject           TEXT,
    language          TEXT NOT NULL,
    summary           TEXT NOT NULL,               -- the new text of the complaint
    screened          TEXT,                        -- screening reason of the source mail, if any
    received_at       TEXT NOT NULL,
    confirm_by        TEXT NOT NULL,               -- YYYY-MM-DD
    position_by       TEXT NOT NULL,
    category          TEXT,
    employee          TEXT,
    confirmed_at      TEXT,
    position_at       TEXT,
    closed_at         TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX cases_status ON cases (status);

-- Every message that belongs to a case: the complaint, follow-ups, directie's replies.
CREATE TABLE case_messages (
    message_pk  BIGINT PRIMARY KEY REFERENCES messages (id),
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    role        TEXT NOT NULL                     -- complaint | follow_up | directie
);
CREATE INDEX case_messages_case ON case_messages (case_id);

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,                    -- klachtenbus | directie address | cli
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    message_pk  BIGINT REFERENCES messages (id),
    outbox_id   BIGINT
);
CREATE INDEX case_events_case ON case_events (case_id);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id          BIGINT REFERENCES cases (id),
    kind             TEXT NOT NULL,               -- the template name
    dedup_key        TEXT UNIQUE,                 -- e.g. ack:<case id>: at most one
    recipient        TEXT NOT NULL,
    about_addr       TEXT,                        -- the customer address this mail concerns
    reply_to         TEXT,
    subject          TEXT NOT NULL,
    body_text        TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    in_reply_to      TEXT,
    refs             TEXT,                        -- space-separated Message-IDs
    auto_submitted   TEXT NOT NULL,
    message_id       TEXT UNIQUE,
    date_header      TEXT NOT NULL,
    status           TEXT NOT NULL,               -- pending | sent | failed
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    claimed_until    TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox (recipient, created_at);
CREATE INDEX outbox_about ON outbox (about_addr, created_at);

CREATE TABLE routing (
    message_pk  BIGINT PRIMARY KEY REFERENCES messages (id),
    route       TEXT NOT NULL,
    case_id     BIGINT REFERENCES cases (id),
    detail      TEXT,
    routed_at   TEXT NOT NULL
);

-- Mail classified before cases existed keeps its verdict and opens no case after the
-- upgrade (`promote` still can).
INSERT INTO routing (message_pk, route, case_id, detail, routed_at)
SELECT message_pk, 'before_cases', NULL, NULL, classified_at FROM verdicts;
