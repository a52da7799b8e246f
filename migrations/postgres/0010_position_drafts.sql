-- The position letter under review (directie.review_position): per case the latest text
-- directie wrote with STANDPUNT, its version (1 for the first draft), who wrote it and
-- when. VERSTUUR sends this text; purge and erase remove it with the case's other text.
CREATE TABLE position_drafts (
    case_id  BIGINT PRIMARY KEY REFERENCES cases (id),
    version  INTEGER NOT NULL,
    body     TEXT NOT NULL,
    author   TEXT NOT NULL,
    at       TEXT NOT NULL
);
