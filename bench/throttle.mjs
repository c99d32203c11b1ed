// A slow link on loopback: a TCP proxy in front of the ballot box that lets bytes through at a
// phone's speed, with a phone's latency, for every connection the browser opens, the service
// worker's included (Chromium's own network emulation does not slow a service worker's
// fetches). Used by bench/page.mjs (`make bench-page`).
//
// The model: one shared link in each direction (down and up), each with its own rate, which
// the connections share in turn, a packet at a time (as TCP flows sharing a bottleneck do),
// plus a one-way delay of half the round trip on every packet. A new connection can send only
// one round trip after it was opened (the TCP handshake). Bytes are counted as HTTP carries
// them (headers and bodies), without TCP/IP overhead.
//
// The proxy also reads the HTTP/1.1 requests that pass up (method and path; browsers do not
// pipeline, so every byte coming down on a connection belongs to its latest request) and keeps
// a log: per request its path, status, bytes down and when its answer finished arriving.

import { createServer, connect } from 'node:net';

const PACKET = 1460;
/** Bytes queued for one connection before its sender is paused. */
const HIGH_WATER = 256 * 1024;

/** One direction of the link: round-robin over connections, `bytesPerMs`, `delayMs` one way. */
class Link {
  constructor(bytesPerMs, delayMs) {
    this.rate = bytesPerMs;
    this.delay = delayMs;
    this.flows = [];
    this.next = 0;
    this.freeAt = 0;
    this.busy = false;
    this.wake = null;
  }

  /** A connection's queue in this direction; `deliver(buffer | null)` gets each packet (null: end). */
  flow(deliver, { onDrain, notBefore = 0 } = {}) {
    const flow = { queue: [], queued: 0, deliver, onDrain, notBefore, paused: false };
    this.flows.push(flow);
    return flow;
  }

  push(flow, chunk) {
    for (let at = 0; at < chunk.length; at += PACKET) {
      const packet = chunk.subarray(at, at + PACKET);
      flow.queue.push(packet);
      flow.queued += packet.length;
    }
    this.pump();
    return flow.queued < HIGH_WATER;
  }

  end(flow) {
    flow.queue.push(null);
    this.pump();
  }

  pump() {
    if (this.busy) return;
    const now = performance.now();
    let flow = null;
    let soonest = Infinity;
    for (let i = 0; i < this.flows.length; i += 1) {
      const candidate = this.flows[(this.next + i) % this.flows.length];
      if (candidate.queue.length === 0) continue;
      if (candidate.notBefore > now) {
        soonest = Math.min(soonest, candidate.notBefore);
        continue;
      }
      flow = candidate;
      this.next = (this.flows.indexOf(candidate) + 1) % this.flows.length;
      break;
    }
    if (!flow) {
      // Only connections still in their handshake have bytes: wake when the first may send.
      if (soonest !== Infinity && !this.wake) {
        this.wake = setTimeout(() => {
          this.wake = null;
          this.pump();
        }, soonest - now);
      }
      return;
    }
    const packet = flow.queue.shift();
    if (packet === null) {
      this.flows.splice(this.flows.indexOf(flow), 1);
      setTimeout(() => flow.deliver(null), this.delay);
      this.pump();
      return;
    }
    flow.queued -= packet.length;
    if (flow.paused && flow.queued < HIGH_WATER / 2 && flow.onDrain) flow.onDrain();
    this.freeAt = Math.max(now, this.freeAt) + packet.length / this.rate;
    this.busy = true;
    setTimeout(() => {
      this.busy = false;
      setTimeout(() => flow.deliver(packet), this.delay);
      this.pump();
    }, this.freeAt - now);
  }
}

/** Reads the requests in the bytes a connection sends up: calls `onRequest(method, path)`. */
function requestReader(onRequest) {
  let head = '';
  let bodyLeft = 0;
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (bodyLeft > 0) {
        const take = Math.min(bodyLeft, chunk.length - at);
        bodyLeft -= take;
        at += take;
        continue;
      }
      head += chunk.subarray(at).toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const consumed = end + 4 - (head.length - (chunk.length - at));
      const lines = head.slice(0, end).split('\r\n');
      const [method, path] = lines[0].split(' ');
      const length = lines.find((l) => /^content-length:/i.test(l));
      bodyLeft = length ? Number(length.split(':')[1].trim()) : 0;
      onRequest(method, path);
      head = '';
      at += consumed;
    }
  };
}

/**
 * Starts the proxy on 127.0.0.1 (a free port) in front of `target` ({host, port}).
 * `downKbps`/`upKbps` in kilobits per second, `rttMs` the round trip. Resolves to
 * {url, log, bytes(), reset(), quietFor(ms), close()}.
 */
export async function startThrottle({ target, downKbps = 400, upKbps = 400, rttMs = 400 }) {
  const down = new Link((downKbps * 1000) / 8 / 1000, rttMs / 2);
  const up = new Link((upKbps * 1000) / 8 / 1000, rttMs / 2);
  const counters = { down: 0, up: 0, lastActivity: performance.now() };
  let log = [];
  const sockets = new Set();

  const server = createServer((client) => {
    const opened = performance.now();
    const box = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(box);
    const conn = { current: null };
    const readRequests = requestReader((method, path) => {
      conn.current = { method, path, status: null, bytesDown: 0, started: performance.now(), finished: null };
      log.push(conn.current);
    });
    const upFlow = up.flow(
      (packet) => {
        if (packet === null) box.end();
        else if (!box.destroyed) box.write(packet);
      },
      { notBefore: opened + rttMs, onDrain: () => client.resume() },
    );
    const downFlow = down.flow(
      (packet) => {
        counters.lastActivity = performance.now();
        if (packet === null) {
          client.end();
          return;
        }
        counters.down += packet.length;
        const request = conn.current;
        if (request) {
          if (request.status === null) {
            const match = /^HTTP\/1\.[01] (\d{3})/.exec(packet.subarray(0, 16).toString('latin1'));
            if (match) request.status = Number(match[1]);
          }
          request.bytesDown += packet.length;
          request.finished = performance.now();
        }
        if (!client.destroyed) client.write(packet);
      },
      { onDrain: () => box.resume() },
    );
    client.on('data', (chunk) => {
      counters.lastActivity = performance.now();
      counters.up += chunk.length;
      readRequests(chunk);
      if (!up.push(upFlow, chunk)) {
        upFlow.paused = true;
        client.pause();
      }
    });
    box.on('data', (chunk) => {
      if (!down.push(downFlow, chunk)) {
        downFlow.paused = true;
        box.pause();
      }
    });
    client.on('end', () => up.end(upFlow));
    box.on('end', () => down.end(downFlow));
    const drop = () => {
      client.destroy();
      box.destroy();
      sockets.delete(client);
      sockets.delete(box);
    };
    client.on('error', drop);
    box.on('error', drop);
    client.on('close', () => sockets.delete(client));
    box.on('close', () => sockets.delete(box));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    get log() {
      return log;
    },
    bytes: () => ({ down: counters.down, up: counters.up }),
    /** Starts counting afresh (bytes and the request log). */
    reset() {
      counters.down = 0;
      counters.up = 0;
      log = [];
    },
    /** Resolves once no byte has passed either way for `ms`. */
    async quietFor(ms) {
      for (;;) {
        const idle = performance.now() - counters.lastActivity;
        if (idle >= ms) return;
        await new Promise((resolve) => setTimeout(resolve, ms - idle + 10));
      }
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
