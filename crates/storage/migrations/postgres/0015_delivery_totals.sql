-- The support totals (deliveries of a year by commune, by body and by category, each with
-- its distinct households) joined every delivery of the year with its household and drive:
-- 280–390 ms each at province scale (119 000 deliveries a year), three of them on each staff
-- dashboard. A delivery's commune (its household's), body and list year (its drive's) never
-- change after it is recorded (neither households nor drives are moved), so they are kept
-- on the delivery, filled in by a trigger whatever writes it, and read from one covering index.
ALTER TABLE deliveries ADD COLUMN unit_id BIGINT;
ALTER TABLE deliveries ADD COLUMN organisation_id BIGINT;
ALTER TABLE deliveries ADD COLUMN list_year INTEGER;

UPDATE deliveries d SET unit_id = h.unit_id, organisation_id = dr.organisation_id, list_year = dr.list_year
FROM households h, drives dr
WHERE h.id = d.household_id AND dr.id = d.drive_id;

CREATE FUNCTION deliveries_denormalise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT unit_id INTO NEW.unit_id FROM households WHERE id = NEW.household_id;
    SELECT organisation_id, list_year INTO NEW.organisation_id, NEW.list_year
    FROM drives WHERE id = NEW.drive_id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER deliveries_denormalise BEFORE INSERT ON deliveries
FOR EACH ROW EXECUTE FUNCTION deliveries_denormalise();

CREATE INDEX deliveries_totals ON deliveries (delivered_on)
    INCLUDE (unit_id, organisation_id, list_year, household_id, value_vnd);
