-- The register fields of the Klachtenformulier and the half-yearly inventory (Bgfo art. 41),
-- measures, and what purge/erase removed.

ALTER TABLE cases ADD COLUMN complainant_postal TEXT;   -- postal address
ALTER TABLE cases ADD COLUMN complainant_phone TEXT;
ALTER TABLE cases ADD COLUMN taken_by TEXT;             -- employee who took a form complaint
ALTER TABLE cases ADD COLUMN outcome TEXT;              -- gegrond | deels_gegrond | ongegrond
ALTER TABLE cases ADD COLUMN purged_at TEXT;            -- personal data removed (purge/erase)

-- Corrective measures (maatregelen): after a case, or for a category as a whole.
CREATE TABLE measures (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    taken_on    TEXT NOT NULL,                  -- YYYY-MM-DD
    owner       TEXT NOT NULL,
    text        TEXT NOT NULL,
    case_id     BIGINT REFERENCES cases (id),
    category    TEXT,
    created_at  TEXT NOT NULL
);

-- What purge and erase did: counts only, never the data removed.
CREATE TABLE privacy_log (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        TEXT NOT NULL,
    action    TEXT NOT NULL,                    -- purge | erase
    actor     TEXT NOT NULL,
    cases     BIGINT NOT NULL,
    messages  BIGINT NOT NULL,
    mails     BIGINT NOT NULL,
    detail    TEXT NOT NULL
);
