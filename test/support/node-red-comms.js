'use strict';
// Node-RED's /comms websocket, read the way the editor reads it: debug messages, node status, and the runtime's
// notifications (among them the end of a deployment, which POST /flows does not wait for).
const path = require('node:path');

const WebSocket = require(require.resolve('ws', { paths: [path.dirname(require.resolve('@node-red/editor-api/package.json'))] }));

/** How long `open` and `next` wait by default. */
const DEFAULT_WAIT_MS = 15_000;
// Node-RED keeps the last runtime-state notification and replays it to every new subscriber: its arrival proves
// that the subscriptions sent before it are in place.
const READY_TOPIC = 'notification/runtime-state';

/** One /comms connection: collects what arrives on its topics and lets tests wait for a message. */
class CommsListener {
  constructor(socket) {
    this.socket = socket;
    /** Everything received on the subscribed topics, oldest first, as `{ topic, data, retained }`. */
    this.messages = [];
    this.ready = false;
    this.waiters = new Set();
  }

  /**
   * Connects to `${baseUrl}comms` (authenticating with `token` when the runtime has adminAuth), subscribes to
   * `topics` (MQTT-style wildcards allowed), and resolves once the subscriptions are active.
   */
  static open(baseUrl, topics, token) {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}comms`);
    const listener = new CommsListener(socket);
    const subscribe = () => {
      for (const topic of [...topics, READY_TOPIC]) socket.send(JSON.stringify({ subscribe: topic }));
    };
    return new Promise((resolve, reject) => {
      const fail = (error) => {
        clearTimeout(timer);
        socket.terminate();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error('the /comms websocket did not confirm its subscriptions in time')), DEFAULT_WAIT_MS);
      // A socket error after the subscription (Node-RED stopping, for one) must not become an uncaught exception.
      socket.on('error', (error) => {
        listener.error = error;
        fail(error);
      });
      socket.once('open', () => {
        if (token) socket.send(JSON.stringify({ auth: token }));
        else subscribe();
      });
      socket.on('message', (raw) => {
        const parsed = JSON.parse(raw.toString('utf8'));
        // An authentication answer is a single object; everything else comes in batches (arrays).
        if (!Array.isArray(parsed)) {
          if (parsed.auth === 'ok') subscribe();
          else fail(new Error(`/comms refused the token: ${JSON.stringify(parsed)}`));
          return;
        }
        for (const { topic, data } of parsed) {
          if (topic === READY_TOPIC && !topics.includes(READY_TOPIC)) {
            clearTimeout(timer);
            listener.ready = true;
            resolve(listener);
          } else {
            // Before the ready marker only replays of retained messages arrive: they describe the past.
            listener.receive({ topic, data, retained: !listener.ready });
          }
        }
      });
    });
  }

  /**
   * Resolves with the `data` of the first message, received before or after this call and not returned by an
   * earlier `next`, for which `predicate(data, topic, retained)` holds (`retained`: a replay of what Node-RED kept
   * from before the subscription); rejects after `timeoutMs`.
   */
  next(predicate, timeoutMs = DEFAULT_WAIT_MS) {
    const found = this.messages.find((message) => !message.taken && predicate(message.data, message.topic, message.retained));
    if (found) {
      found.taken = true;
      return Promise.resolve(found.data);
    }
    return new Promise((resolve, reject) => {
      const waiter = { predicate, resolve };
      waiter.timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.messages.map((m) => `${m.topic} ${JSON.stringify(m.data).slice(0, 300)}`).join('\n  ');
        reject(new Error(`no matching /comms message within ${timeoutMs} ms; received:\n  ${seen || '(none)'}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /**
   * Resolves with the `data` of every message received so far (retained replays excluded) once `accept(list)` holds
   * for that list, checked now and on each message that arrives; rejects after `timeoutMs`.
   */
  waitFor(accept, timeoutMs = DEFAULT_WAIT_MS) {
    const list = () => this.messages.filter((message) => !message.retained).map((message) => message.data);
    if (accept(list())) return Promise.resolve(list());
    return new Promise((resolve, reject) => {
      const waiter = {
        // Matches no single message: it looks at the whole list each time one arrives.
        predicate: () => {
          if (!accept(list())) return false;
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          resolve(list());
          return false;
        },
        resolve: () => undefined,
      };
      waiter.timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`waitFor: not reached within ${timeoutMs} ms (${list().length} messages)`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Closes the websocket; pending `next` calls time out. */
  close() {
    this.socket.terminate();
  }

  receive(message) {
    this.messages.push(message);
    for (const waiter of this.waiters) {
      if (!message.taken && waiter.predicate(message.data, message.topic, message.retained)) {
        message.taken = true;
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve(message.data);
      }
    }
  }
}

module.exports = { CommsListener };
