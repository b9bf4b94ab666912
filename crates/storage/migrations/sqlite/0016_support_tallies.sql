-- The staff dashboard's support sums (deliveries, distinct households and value by commune,
-- by body and by category, for one year or for every year) sorted every delivery for
-- `COUNT(DISTINCT household_id)`: 0.25–0.9 s each at province scale (245 000 deliveries),
-- whatever the indexes. They are kept here instead, as deliveries and listings are written:
-- a household is counted in a cell by the first delivery that puts it there.
--
-- `year` is the year delivered, 0 for every year; `key` is the commune's id, the body's id
-- or the category's code. A delivery counts once per category its household is listed in for
-- the drive's list year, as the join it replaces did. Deliveries and listings are never
-- changed or removed once written, so the tallies only grow.
CREATE TABLE support_tallies (
    dimension  TEXT NOT NULL CHECK (dimension IN ('unit', 'organisation', 'category')),
    year       INTEGER NOT NULL,
    unit_id    INTEGER NOT NULL,
    key        TEXT NOT NULL,
    deliveries INTEGER NOT NULL,
    households INTEGER NOT NULL,
    value_vnd  INTEGER NOT NULL,
    PRIMARY KEY (dimension, year, unit_id, key)
) WITHOUT ROWID;

WITH spread AS (
    SELECT CAST(substr(delivered_on, 1, 4) AS INTEGER) AS year, household_id, unit_id,
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

-- One trigger, so that the columns 0015 keeps are filled in before the tallies read them
-- (SQLite does not promise an order between triggers). It fires after each row, so the
-- deliveries it sees besides this one were written before it.
DROP TRIGGER deliveries_denormalise;
CREATE TRIGGER deliveries_denormalise AFTER INSERT ON deliveries BEGIN
    UPDATE deliveries SET
        unit_id = (SELECT unit_id FROM households WHERE id = NEW.household_id),
        organisation_id = (SELECT organisation_id FROM drives WHERE id = NEW.drive_id),
        list_year = (SELECT list_year FROM drives WHERE id = NEW.drive_id)
    WHERE id = NEW.id;

    INSERT INTO support_tallies (dimension, year, unit_id, key, deliveries, households, value_vnd)
    SELECT 'unit', y.year, d.unit_id, CAST(d.unit_id AS TEXT), 1,
           NOT EXISTS (SELECT 1 FROM deliveries o
                       WHERE o.household_id = d.household_id AND o.id <> d.id
                         AND (y.year = 0 OR CAST(substr(o.delivered_on, 1, 4) AS INTEGER) = y.year)),
           d.value_vnd
    FROM deliveries d,
         (SELECT 0 AS year UNION ALL SELECT CAST(substr(NEW.delivered_on, 1, 4) AS INTEGER)) y
    WHERE d.id = NEW.id
    ON CONFLICT (dimension, year, unit_id, key) DO UPDATE SET
        deliveries = support_tallies.deliveries + excluded.deliveries,
        households = support_tallies.households + excluded.households,
        value_vnd = support_tallies.value_vnd + excluded.value_vnd;

    INSERT INTO support_tallies (dimension, year, unit_id, key, deliveries, households, value_vnd)
    SELECT 'organisation', y.year, d.unit_id, CAST(d.organisation_id AS TEXT), 1,
           NOT EXISTS (SELECT 1 FROM deliveries o
                       WHERE o.household_id = d.household_id AND o.id <> d.id
                         AND o.organisation_id = d.organisation_id
                         AND (y.year = 0 OR CAST(substr(o.delivered_on, 1, 4) AS INTEGER) = y.year)),
           d.value_vnd
    FROM deliveries d,
         (SELECT 0 AS year UNION ALL SELECT CAST(substr(NEW.delivered_on, 1, 4) AS INTEGER)) y
    WHERE d.id = NEW.id
    ON CONFLICT (dimension, year, unit_id, key) DO UPDATE SET
        deliveries = support_tallies.deliveries + excluded.deliveries,
        households = support_tallies.households + excluded.households,
        value_vnd = support_tallies.value_vnd + excluded.value_vnd;

    INSERT INTO support_tallies (dimension, year, unit_id, key, deliveries, households, value_vnd)
    SELECT 'category', y.year, d.unit_id, l.category, 1,
           NOT EXISTS (SELECT 1 FROM deliveries o
                       JOIN household_listings ol ON ol.household_id = o.household_id
                            AND ol.year = o.list_year AND ol.category = l.category
                       WHERE o.household_id = d.household_id AND o.id <> d.id
                         AND (y.year = 0 OR CAST(substr(o.delivered_on, 1, 4) AS INTEGER) = y.year)),
           d.value_vnd
    FROM deliveries d
         JOIN household_listings l ON l.household_id = d.household_id AND l.year = d.list_year,
         (SELECT 0 AS year UNION ALL SELECT CAST(substr(NEW.delivered_on, 1, 4) AS INTEGER)) y
    WHERE d.id = NEW.id
    ON CONFLICT (dimension, year, unit_id, key) DO UPDATE SET
        deliveries = support_tallies.deliveries + excluded.deliveries,
        households = support_tallies.households + excluded.households,
        value_vnd = support_tallies.value_vnd + excluded.value_vnd;
END;

-- A listing added after its household's deliveries of that list year puts them in its
-- category. It fires only for rows inserted (not for `ON CONFLICT DO NOTHING`'s skipped ones).
CREATE TRIGGER household_listings_tally AFTER INSERT ON household_listings BEGIN
    INSERT INTO support_tallies (dimension, year, unit_id, key, deliveries, households, value_vnd)
    SELECT 'category', y.year, y.unit_id, NEW.category, COUNT(*),
           NOT EXISTS (SELECT 1 FROM deliveries o
                       JOIN household_listings ol ON ol.household_id = o.household_id
                            AND ol.year = o.list_year AND ol.category = NEW.category
                       WHERE o.household_id = NEW.household_id AND o.list_year <> NEW.year
                         AND (y.year = 0 OR CAST(substr(o.delivered_on, 1, 4) AS INTEGER) = y.year)),
           SUM(y.value_vnd)
    FROM (SELECT CAST(substr(delivered_on, 1, 4) AS INTEGER) AS year, unit_id, value_vnd
          FROM deliveries WHERE household_id = NEW.household_id AND list_year = NEW.year
          UNION ALL
          SELECT 0, unit_id, value_vnd
          FROM deliveries WHERE household_id = NEW.household_id AND list_year = NEW.year) y
    WHERE true
    GROUP BY y.year, y.unit_id
    ON CONFLICT (dimension, year, unit_id, key) DO UPDATE SET
        deliveries = support_tallies.deliveries + excluded.deliveries,
        households = support_tallies.households + excluded.households,
        value_vnd = support_tallies.value_vnd + excluded.value_vnd;
END;

-- Only the sums read this index (0015).
DROP INDEX deliveries_totals;
