-- The staff dashboard's support sums (deliveries, distinct households and value by commune,
-- by body and by category, for one year or for every year) sorted every delivery for
-- `COUNT(DISTINCT household_id)`: about a second for the three at province scale (245 000
-- deliveries), whatever the indexes. They are kept here instead, as deliveries and listings
-- are written: a household is counted in a cell by the first delivery that puts it there.
--
-- `year` is the year delivered, 0 for every year; `key` is the commune's id, the body's id
-- or the category's code. A delivery counts once per category its household is listed in for
-- the drive's list year, as the join it replaces did. Deliveries and listings are never
-- changed or removed once written, so the tallies only grow.
CREATE TABLE support_tallies (
    dimension  TEXT NOT NULL CHECK (dimension IN ('unit', 'organisation', 'category')),
    year       INTEGER NOT NULL,
    unit_id    BIGINT NOT NULL,
    key        TEXT NOT NULL,
    deliveries BIGINT NOT NULL,
    households BIGINT NOT NULL,
    value_vnd  BIGINT NOT NULL,
    PRIMARY KEY (dimension, year, unit_id, key)
);

WITH spread AS (
    SELECT CAST(EXTRACT(YEAR FROM delivered_on) AS INTEGER) AS year, household_id, unit_id,
           organisation_id, list_year, value_vnd
    FROM deliveries
    UNION ALL
    SELECT 0, household_id, unit_id, organisation_id, list_year, value_vnd FROM deliveries
)
INSERT INTO support_tallies (dimension, year, unit_id, key, deliveries, households, value_vnd)
SELECT 'unit', year, unit_id, CAST(unit_id AS TEXT), COUNT(*), COUNT(DISTINCT household_id),
       SUM(value_vnd)
FROM spread GROUP BY year, unit_id
UNION ALL
SELECT 'organisation', year, unit_id, CAST(organisation_id AS TEXT), COUNT(*),
       COUNT(DISTINCT household_id), SUM(value_vnd)
FROM spread GROUP BY year, unit_id, organisation_id
UNION ALL
SELECT 'category', s.year, s.unit_id, l.category, COUNT(*), COUNT(DISTINCT s.household_id),
       SUM(s.value_vnd)
FROM spread s JOIN household_listings l ON l.household_id = s.household_id AND l.year = s.list_year
GROUP BY s.year, s.unit_id, l.category;

-- Adds one delivery (or one listing's deliveries) to a cell.
CREATE FUNCTION support_tally_add(
    dim TEXT, yr INTEGER, unit BIGINT, k TEXT, n BIGINT, first_household BOOLEAN, value BIGINT
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO support_tallies AS t (dimension, year, unit_id, key, deliveries, households, value_vnd)
    VALUES (dim, yr, unit, k, n, CASE WHEN first_household THEN 1 ELSE 0 END, value)
    ON CONFLICT (dimension, year, unit_id, key) DO UPDATE SET
        deliveries = t.deliveries + excluded.deliveries,
        households = t.households + excluded.households,
        value_vnd = t.value_vnd + excluded.value_vnd;
$$;

-- Before each row: a statement's earlier rows are visible, this one is not yet. The
-- household's row is locked first, so that two transactions writing to one household (a
-- delivery, a listing) are tallied one after the other: after the lock, each statement
-- here sees what the other committed.
CREATE OR REPLACE FUNCTION deliveries_denormalise() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delivered INTEGER := EXTRACT(YEAR FROM NEW.delivered_on);
    yr INTEGER;
    listed_in TEXT;
BEGIN
    SELECT unit_id INTO NEW.unit_id FROM households WHERE id = NEW.household_id FOR NO KEY UPDATE;
    SELECT organisation_id, list_year INTO NEW.organisation_id, NEW.list_year
    FROM drives WHERE id = NEW.drive_id;
    FOREACH yr IN ARRAY ARRAY[0, delivered] LOOP
        PERFORM support_tally_add('unit', yr, NEW.unit_id, NEW.unit_id::text, 1,
            NOT EXISTS (SELECT 1 FROM deliveries o
                        WHERE o.household_id = NEW.household_id
                          AND (yr = 0 OR EXTRACT(YEAR FROM o.delivered_on) = yr)),
            NEW.value_vnd);
        PERFORM support_tally_add('organisation', yr, NEW.unit_id, NEW.organisation_id::text, 1,
            NOT EXISTS (SELECT 1 FROM deliveries o
                        WHERE o.household_id = NEW.household_id
                          AND o.organisation_id = NEW.organisation_id
                          AND (yr = 0 OR EXTRACT(YEAR FROM o.delivered_on) = yr)),
            NEW.value_vnd);
        FOR listed_in IN
            SELECT l.category FROM household_listings l
            WHERE l.household_id = NEW.household_id AND l.year = NEW.list_year
        LOOP
            PERFORM support_tally_add('category', yr, NEW.unit_id, listed_in, 1,
                NOT EXISTS (SELECT 1 FROM deliveries o
                            JOIN household_listings ol ON ol.household_id = o.household_id
                                 AND ol.year = o.list_year AND ol.category = listed_in
                            WHERE o.household_id = NEW.household_id
                              AND (yr = 0 OR EXTRACT(YEAR FROM o.delivered_on) = yr)),
                NEW.value_vnd);
        END LOOP;
    END LOOP;
    RETURN NEW;
END;
$$;

-- A listing added after its household's deliveries of that list year puts them in its
-- category. Before the row, under the household's lock: a listing that is already there
-- (the insert's `ON CONFLICT DO NOTHING` will skip it) adds nothing.
CREATE FUNCTION household_listings_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cell RECORD;
BEGIN
    PERFORM 1 FROM households WHERE id = NEW.household_id FOR NO KEY UPDATE;
    IF EXISTS (SELECT 1 FROM household_listings
               WHERE household_id = NEW.household_id AND category = NEW.category
                 AND year = NEW.year) THEN
        RETURN NEW;
    END IF;
    FOR cell IN
        SELECT y.year, y.unit_id, COUNT(*) AS n, CAST(SUM(y.value_vnd) AS BIGINT) AS value
        FROM (SELECT CAST(EXTRACT(YEAR FROM delivered_on) AS INTEGER) AS year, unit_id, value_vnd
              FROM deliveries WHERE household_id = NEW.household_id AND list_year = NEW.year
              UNION ALL
              SELECT 0, unit_id, value_vnd
              FROM deliveries WHERE household_id = NEW.household_id AND list_year = NEW.year) y
        GROUP BY y.year, y.unit_id
    LOOP
        PERFORM support_tally_add('category', cell.year, cell.unit_id, NEW.category, cell.n,
            NOT EXISTS (SELECT 1 FROM deliveries o
                        JOIN household_listings ol ON ol.household_id = o.household_id
                             AND ol.year = o.list_year AND ol.category = NEW.category
                        WHERE o.household_id = NEW.household_id
                          AND (cell.year = 0 OR EXTRACT(YEAR FROM o.delivered_on) = cell.year)),
            cell.value);
    END LOOP;
    RETURN NEW;
END;
$$;
CREATE TRIGGER household_listings_tally BEFORE INSERT ON household_listings
FOR EACH ROW EXECUTE FUNCTION household_listings_tally();

-- Only the sums read this index (0015).
DROP INDEX deliveries_totals;
