-- A commune's open petitions, newest first: a new petition is compared with up to 500 of
-- them to offer likely duplicates. Through the (unit_id) index the lookup read every
-- petition of the commune until it had found 500 open ones (about 6 000 rows at province
-- scale, for every submission); this index holds the open ones only, in that order.
CREATE INDEX petitions_open_by_unit ON petitions (unit_id, id)
WHERE state IN ('received', 'accepted', 'assigned');
