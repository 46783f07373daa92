-- The components of kept inventories, each stored once however many of them
-- hold it: the releases of a fleet share most of their SOUP, and reading a
-- component already read is a look-up by its id. `inventory_cache.inventory`
-- names its components by these ids. Derived data, as the caches are; rows no
-- kept inventory names any more cost only space.
CREATE TABLE kept_component (
    id        INTEGER PRIMARY KEY,
    component TEXT NOT NULL UNIQUE  -- the Component as JSON
);
