-- Listing records by when they were received (GET /v1/records?receivedFrom=&receivedTo=, the
-- case export): keyset paging in (received_at, pos) order.
CREATE INDEX records_received_at ON records (received_at, pos);
