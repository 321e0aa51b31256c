-- PostgreSQL twin of SQLite 0018 (wilayah binaan, #13): the kelurahan each officer serves and
-- the kelurahan every report and complaint is filed under (Kemendagri codes).
CREATE TABLE officer_areas (
    officer_id      BIGINT NOT NULL REFERENCES officers(id),
    kelurahan_code  TEXT NOT NULL,
    since           TEXT NOT NULL,
    PRIMARY KEY (officer_id, kelurahan_code)
);
CREATE INDEX officer_areas_kelurahan ON officer_areas(kelurahan_code);

ALTER TABLE reports ADD COLUMN kelurahan_code TEXT;
ALTER TABLE complaints ADD COLUMN kelurahan_code TEXT;
CREATE INDEX reports_kelurahan ON reports(kelurahan_code);

