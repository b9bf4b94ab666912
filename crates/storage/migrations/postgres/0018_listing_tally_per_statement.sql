-- The category tallies of listings added after their households' deliveries (0016), kept
-- once per statement instead of once per row: an import of 20 000 households ran the row
-- trigger's three statements 20 000 times (3.3 s at province scale), for households that
-- mostly have no delivery at all. The statement's new rows arrive as a transition table.
--
-- The same counting as the row trigger: each added listing (household, category, year) puts
-- the household's deliveries of that list year into its category's cells (every year and
-- the year delivered), and counts the household in a cell unless one of its deliveries is
-- already there through a listing of that category written before: one from an earlier
-- statement, or an earlier row of this one (rows are numbered in the order they are added).
-- A row skipped by `ON CONFLICT DO NOTHING` is not in the transition table.
--
-- After the statement, the households' rows are locked, in id order, before the deliveries
-- are read: a delivery to one of them (its trigger locks the household first) either
-- committed before, and is seen here, or waits, and then sees these listings.
DROP TRIGGER household_listings_tally ON household_listings;
DROP FUNCTION household_listings_tally();

CREATE FUNCTION household_listings_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM households WHERE id IN (SELECT household_id FROM added)
    ORDER BY id FOR NO KEY UPDATE;
    INSERT INTO support_tallies AS t (dimension, year, unit_id, key, deliveries, households, value_vnd)
    SELECT 'category', cell.year, cell.unit_id, cell.category, SUM(cell.n), SUM(cell.first),
           SUM(cell.value)
    FROM (
        SELECT a.category, y.year, d.unit_id, COUNT(*) AS n, SUM(d.value_vnd) AS value,
               CASE WHEN EXISTS (
                   SELECT 1 FROM deliveries o
                   JOIN household_listings ol ON ol.household_id = o.household_id
                        AND ol.year = o.list_year AND ol.category = a.category
                   WHERE o.household_id = a.household_id
                     AND (y.year = 0 OR EXTRACT(YEAR FROM o.delivered_on) = y.year)
                     AND (ol.id < a.id OR NOT EXISTS (SELECT 1 FROM added x WHERE x.id = ol.id))
               ) THEN 0 ELSE 1 END AS first
        FROM added a
        JOIN deliveries d ON d.household_id = a.household_id AND d.list_year = a.year
        CROSS JOIN LATERAL (VALUES (0), (CAST(EXTRACT(YEAR FROM d.delivered_on) AS INTEGER))) y (year)
        GROUP BY a.id, a.household_id, a.category, y.year, d.unit_id
    ) cell
    GROUP BY cell.category, cell.year, cell.unit_id
    ON CONFLICT (dimension, year, unit_id, key) DO UPDATE SET
        deliveries = t.deliveries + excluded.deliveries,
        households = t.households + excluded.households,
        value_vnd = t.value_vnd + excluded.value_vnd;
    RETURN NULL;
END;
$$;

CREATE TRIGGER household_listings_tally AFTER INSERT ON household_listings
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION household_listings_tally();
