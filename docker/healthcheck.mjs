// The image's HEALTHCHECK: is the process answering on $PORT? The bots answer GET /healthz; the
// emulator answers GET /_emulator/health (asked from inside the container, as its own loopback host).
const base = `http://127.0.0.1:${process.env.PORT || '3000'}`;

async function answers(path) {
  try {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(4000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

process.exitCode = (await answers('/healthz')) || (await answers('/_emulator/health')) ? 0 : 1;
