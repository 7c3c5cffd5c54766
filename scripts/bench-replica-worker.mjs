// One bot replica of the replicas benchmark, as a bot starts one: its config from the environment
// (AXN_* — the emulator's URL, the PostgreSQL ledger, AXN_REDIS_URL, AXN_MAX_QPS…) through
// openServiceRuntime. The parent hands it deliveries over IPC ({ id, text, actor }) and hears back each
// reply's kind and whether it was the first delivery of its key (the one a bot would post).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../packages/chatops/package.json', import.meta.url));
const { loadBotServiceConfig, openServiceRuntime, parseCommand, silentLogger } = await import(
  require.resolve('@axnbot/chatops')
);

const config = loadBotServiceConfig(process.env);
const runtime = await openServiceRuntime(config, process.env, { logger: silentLogger });
const context = () => ({
  now: Date.now(),
  locale: 'en',
  defaultExpiresMs: config.defaultExpiresMs,
  maxExpiresMs: config.maxExpiresMs,
  maxBulk: config.maxBulk,
});

process.on('message', (message) => {
  if (message.close) {
    runtime.close().then(() => process.exit(0));
    return;
  }
  const { id, text, actor } = message;
  runtime.service.executeDelivery(parseCommand(text, context()), actor).then(
    ({ reply, firstDelivery }) => process.send({ id, kind: reply.kind, firstDelivery }),
    (error) => process.send({ id, kind: 'thrown', error: String(error) }),
  );
});
process.send({ ready: true, limits: runtime.limitsStatus() });
