-- The petition list's own filters (field, kind) with the list's order after them: a
-- province-wide list by field counted and sorted its 100 000 rows by reading every one of
-- a million petitions; these serve the count and the order from the index alone.
CREATE INDEX petitions_topic_order ON petitions (topic, state, due_on, received_on);
CREATE INDEX petitions_kind_order ON petitions (kind, state, due_on, received_on);
