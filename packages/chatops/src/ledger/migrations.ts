/** Schema migrations, shared by both dialects (types chosen to mean the same in each). Append only. */
export const LEDGER_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS axn_deliveries (
     key TEXT PRIMARY KEY,
     created_at BIGINT NOT NULL,
     reply TEXT,
     completed_at BIGINT
   );
   CREATE TABLE IF NOT EXISTS axn_bindings (
     ref TEXT PRIMARY KEY,
     subs_id TEXT UNIQUE,
     secret_no TEXT,
     extension TEXT,
     phone_masked TEXT NOT NULL,
     phone_hash TEXT NOT NULL,
     pool_key TEXT NOT NULL,
     city TEXT,
     expires_at BIGINT NOT NULL,
     recording INTEGER NOT NULL,
     out_id TEXT,
     status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unknown', 'unbound', 'expired', 'failed')),
     platform TEXT NOT NULL,
     user_id TEXT NOT NULL,
     user_name TEXT NOT NULL,
     channel_id TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     request_id TEXT
   );
   CREATE INDEX IF NOT EXISTS axn_bindings_by_phone ON axn_bindings (phone_hash, created_at);
   CREATE INDEX IF NOT EXISTS axn_bindings_by_owner ON axn_bindings (platform, user_id, status);
   CREATE INDEX IF NOT EXISTS axn_bindings_by_slot ON axn_bindings (secret_no, extension);
   CREATE TABLE IF NOT EXISTS axn_audit (
     id TEXT PRIMARY KEY,
     at BIGINT NOT NULL,
     platform TEXT NOT NULL,
     user_id TEXT NOT NULL,
     user_name TEXT NOT NULL,
     channel_id TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     result TEXT NOT NULL,
     request_id TEXT,
     detail TEXT
   );
   CREATE INDEX IF NOT EXISTS axn_audit_by_time ON axn_audit (at);`,
  // Leases on deliveries, and which delivery made a binding, so a delivery whose process died can be
  // taken over and finished with the true outcome.
  `ALTER TABLE axn_deliveries ADD COLUMN lease_until BIGINT;
   ALTER TABLE axn_bindings ADD COLUMN delivery_key TEXT;
   CREATE INDEX IF NOT EXISTS axn_bindings_by_delivery ON axn_bindings (delivery_key);
   CREATE INDEX IF NOT EXISTS axn_deliveries_open ON axn_deliveries (lease_until) WHERE reply IS NULL;`,
  // Who ended a binding (unbound it), so a second unbind can say when and by whom.
  `ALTER TABLE axn_bindings ADD COLUMN ended_by TEXT;`,
  // Facts about the ledger itself, such as a check value of the key A's fingerprints are made with.
  `CREATE TABLE IF NOT EXISTS axn_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Call receipts (one row per call and receipt type; numbers only masked and fingerprinted), when a bot
  // claimed posting one; and on bindings, the binder's language and where its result card was posted.
  `CREATE TABLE IF NOT EXISTS axn_call_events (
     call_id TEXT NOT NULL,
     type TEXT NOT NULL,
     subs_id TEXT,
     pool_key TEXT,
     secret_no TEXT,
     extension TEXT,
     phone_masked TEXT,
     phone_hash TEXT,
     peer_masked TEXT,
     peer_hash TEXT,
     call_type INTEGER,
     call_time BIGINT,
     ring_time BIGINT,
     start_time BIGINT,
     release_time BIGINT,
     talk_seconds INTEGER,
     release_cause INTEGER,
     unconnected_cause INTEGER,
     release_dir INTEGER,
     recorded INTEGER NOT NULL,
     out_id TEXT,
     control_msg TEXT,
     received_at BIGINT NOT NULL,
     notified_at BIGINT,
     UNIQUE (call_id, type)
   );
   CREATE INDEX IF NOT EXISTS axn_call_events_by_subs ON axn_call_events (subs_id, call_time);
   CREATE INDEX IF NOT EXISTS axn_call_events_by_time ON axn_call_events (received_at);
   CREATE INDEX IF NOT EXISTS axn_call_events_by_peer ON axn_call_events (peer_hash);
   ALTER TABLE axn_bindings ADD COLUMN locale TEXT;
   ALTER TABLE axn_bindings ADD COLUMN message_ref TEXT;`,
  // The binding lifecycle: each chat binding's reminder and expiry notice (state, tries, last error, when
  // sent and the message's reference; claimed by a lease), binds that landed in another city or found no
  // number (per pool and city asked for), and the alert of each pool and city (its cooldown and claim).
  `CREATE TABLE IF NOT EXISTS axn_lifecycle_notices (
     ref TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('reminder', 'expired')),
     state TEXT NOT NULL CHECK (state IN ('due', 'sent', 'silenced', 'given-up')),
     expires_at BIGINT NOT NULL,
     tries INTEGER NOT NULL,
     last_error TEXT,
     lease_until BIGINT,
     sent_at BIGINT,
     message_ref TEXT,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (ref, kind)
   );
   CREATE INDEX IF NOT EXISTS axn_bindings_by_expiry ON axn_bindings (status, expires_at);
   CREATE TABLE IF NOT EXISTS axn_pool_events (
     ref TEXT PRIMARY KEY,
     pool_key TEXT NOT NULL,
     city TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('fallback', 'refused')),
     landed_city TEXT,
     at BIGINT NOT NULL
   );
   CREATE INDEX IF NOT EXISTS axn_pool_events_by_time ON axn_pool_events (at);
   CREATE TABLE IF NOT EXISTS axn_pool_alerts (
     pool_key TEXT NOT NULL,
     city TEXT NOT NULL,
     alerted_at BIGINT,
     tries INTEGER NOT NULL,
     last_error TEXT,
     lease_until BIGINT,
     message_ref TEXT,
     PRIMARY KEY (pool_key, city)
   );`,
];
