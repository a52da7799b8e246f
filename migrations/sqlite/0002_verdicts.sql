-- The detection verdict of each stored message (screening reason, score, signals).
CREATE TABLE verdicts (
    message_pk     BIGINT PRIMARY KEY REFERENCES messages (id),
    complaint      BIGINT NOT NULL,
    score          DOUBLE PRECISION NOT NULL,
    threshold      DOUBLE PRECISION NOT NULL,
    language       TEXT NOT NULL,
    screened       TEXT,
    verdict        TEXT NOT NULL,            -- the whole verdict as JSON (signals, ignored)
    classified_at  TEXT NOT NULL
);
CREATE INDEX verdicts_complaint ON verdicts (complaint);
