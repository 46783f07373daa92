-- What matching reads of each record (whether it is withdrawn, and the
-- versions it affects), kept beside it: an audit is given every record that
-- names one of its packages, and reading each whole to find the few that
-- affect a pinned version was most of its look-up. Rows kept before stay
-- NULL, and such a record is read whole, as it was.
ALTER TABLE advisory ADD COLUMN versions BLOB;
