-- Text search that does not slow down as reports accumulate (#15). SQLite's FTS5 (3.40)
-- answers a prefix query ("dembe"*) by seeking, in every segment of the index, to the first
-- term >= the prefix; in a segment without such a word the seek lands on the page of the
-- word before it and, when that word is common ("dekat", in most reports), walks the pages of
-- its doclist one by one to the next term: work that grows with the table (0.01 ms at 10 k,
-- 0.7-0.9 ms at 1 M for a prefix matching nothing). An exact term is looked up without it.
-- So the index's own words are kept here too; a search turns each typed prefix into the
-- words that start with it and asks FTS5 for exactly those (storage/desk.py), same results.
CREATE TABLE report_search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;

-- A report's words, as FTS5 itself tokenizes them (the same tokenizer as report_search):
-- the triggers put the indexed text here, copy its vocabulary, and empty it again.
CREATE VIRTUAL TABLE report_search_scratch USING fts5(
    body, content = '', detail = none, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE report_search_scratch_terms USING fts5vocab(report_search_scratch, 'row');

CREATE VIRTUAL TABLE temp.report_search_vocabulary USING fts5vocab(main, report_search, 'row');
INSERT INTO report_search_terms (term) SELECT term FROM temp.report_search_vocabulary;
DROP TABLE temp.report_search_vocabulary;

DROP TRIGGER report_search_insert;
DROP TRIGGER report_search_update;
DROP TRIGGER report_search_complaint;
DROP TRIGGER report_search_complaint_text;

CREATE TRIGGER report_search_insert AFTER INSERT ON reports BEGIN
    INSERT INTO report_search (rowid, body, unit_code)
    SELECT report_id, body, unit_code FROM report_search_source WHERE report_id = NEW.id;
    INSERT INTO report_search_scratch (body) SELECT body FROM report_search WHERE rowid = NEW.id;
    INSERT OR IGNORE INTO report_search_terms (term) SELECT term FROM report_search_scratch_terms;
    INSERT INTO report_search_scratch (report_search_scratch) VALUES ('delete-all');
END;

CREATE TRIGGER report_search_update AFTER UPDATE OF answers, place, unit_code ON reports BEGIN
    DELETE FROM report_search WHERE rowid = NEW.id;
    INSERT INTO report_search (rowid, body, unit_code)
    SELECT report_id, body, unit_code FROM report_search_source WHERE report_id = NEW.id;
    INSERT INTO report_search_scratch (body) SELECT body FROM report_search WHERE rowid = NEW.id;
    INSERT OR IGNORE INTO report_search_terms (term) SELECT term FROM report_search_scratch_terms;
    INSERT INTO report_search_scratch (report_search_scratch) VALUES ('delete-all');
END;

CREATE TRIGGER report_search_complaint AFTER INSERT ON complaints BEGIN
    DELETE FROM report_search WHERE rowid = NEW.report_id;
    INSERT INTO report_search (rowid, body, unit_code)
    SELECT report_id, body, unit_code FROM report_search_source WHERE report_id = NEW.report_id;
    INSERT INTO report_search_scratch (body)
    SELECT body FROM report_search WHERE rowid = NEW.report_id;
    INSERT OR IGNORE INTO report_search_terms (term) SELECT term FROM report_search_scratch_terms;
    INSERT INTO report_search_scratch (report_search_scratch) VALUES ('delete-all');
END;

CREATE TRIGGER report_search_complaint_text AFTER UPDATE OF description, place ON complaints
BEGIN
    DELETE FROM report_search WHERE rowid = NEW.report_id;
    INSERT INTO report_search (rowid, body, unit_code)
    SELECT report_id, body, unit_code FROM report_search_source WHERE report_id = NEW.report_id;
    INSERT INTO report_search_scratch (body)
    SELECT body FROM report_search WHERE rowid = NEW.report_id;
    INSERT OR IGNORE INTO report_search_terms (term) SELECT term FROM report_search_scratch_terms;
    INSERT INTO report_search_scratch (report_search_scratch) VALUES ('delete-all');
END;
