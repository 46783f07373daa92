-- Pinning an input reads and updates the pins seen in it: without an index on
-- the input, each of those statements scans every input's pins, so an audit of
-- every release costs the square of the number of releases.
CREATE INDEX pin_by_input ON pin (input_path, present);
