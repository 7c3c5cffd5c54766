import pg from 'pg';

/**
 * After the run, drops the schemas the tests made on the shared PostgreSQL database (`axn_test_*`),
 * so repeated runs leave nothing behind.
 */
export async function teardown(): Promise<void> {
  const url = process.env.AXN_TEST_DATABASE_URL;
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'axn\\_test\\_%'",
    );
    for (const { nspname } of rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  } finally {
    await client.end();
  }
}
