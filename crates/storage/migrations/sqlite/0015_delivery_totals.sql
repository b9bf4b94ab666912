-- The support totals (deliveries of a year by commune, by body and by category, each with
-- its distinct households) joined every delivery of the year with its household and drive:
-- 130–170 ms each at province scale (119 000 deliveries a year), three of them on each staff
-- dashboard. A delivery's commune (its household's), body and list year (its drive's) never
-- change after it is recorded (neither households nor drives are moved), so they are kept
-- on the delivery, filled in by a trigger whatever writes it, and read from one covering index.
ALTER TABLE deliveries ADD COLUMN unit_id INTEGER;
ALTER TABLE deliveries ADD COLUMN organisation_id INTEGER;
ALTER TABLE deliveries ADD COLUMN list_year INTEGER;

UPDATE deliveries SET
    unit_id = (SELECT unit_id FROM households WHERE id = deliveries.household_id),
    organisation_id = (SELECT organisation_id FROM drives WHERE id = deliveries.drive_id),
    list_year = (SELECT list_year FROM drives WHERE id = deliveries.drive_id);

CREATE TRIGGER deliveries_denormalise AFTER INSERT ON deliveries BEGIN
    UPDATE deliveries SET
        unit_id = (SELECT unit_id FROM households WHERE id = NEW.household_id),
        organisation_id = (SELECT organisation_id FROM drives WHERE id = NEW.drive_id),
        list_year = (SELECT list_year FROM drives WHERE id = NEW.drive_id)
    WHERE id = NEW.id;
END;

CREATE INDEX deliveries_totals
    ON deliveries (delivered_on, unit_id, organisation_id, list_year, household_id, value_vnd);
