-- When the complainant's acknowledgement and position letter actually went out: queued by
-- e-mail, or — for a complainant without e-mail — posted (directie's VERSTUURD PER POST).
-- The half-yearly report times acknowledgements and positions by these. Earlier cases
-- took them from the decision (their letters were queued in the same transaction).
ALTER TABLE cases ADD COLUMN acknowledged_at TEXT;
ALTER TABLE cases ADD COLUMN position_sent_at TEXT;
UPDATE cases SET acknowledged_at = confirmed_at
 WHERE confirmed_at IS NOT NULL AND complainant_addr IS NOT NULL;
UPDATE cases SET position_sent_at = position_at
 WHERE position_at IS NOT NULL;
