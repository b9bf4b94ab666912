-- A body's queue reads the cases it was asked to take over on their own (a `UNION` beside
-- the ones it holds); with the order's columns in the index that side never reads the table.
DROP INDEX petitions_transfer;
CREATE INDEX petitions_transfer ON petitions (transfer_to, state, due_on, received_on);
