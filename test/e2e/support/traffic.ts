// Visitors during an update: a loop in the lab's client container ("the Internet") that sends GET /
// and POST /kv through Nginx in turn, at a steady rate, and writes one line per request (time, method,
// HTTP status or 000 for a connection error). Every non-2xx and every connection error counts as
// failed. Bounded: it stops when told, or by itself after `maxSeconds`.
import { waitFor, type Client, type Server } from '../../lab/lab.js';

export interface TrafficResult {
  total: number;
  failed: number;
  /** The failed requests as logged: `epoch method status`. */
  failures: string[];
  /** Requests per second over the run. */
  rate: number;
  /** The app version that answered each GET, in order, deduplicated in runs (e.g. ['1', '2']). */
  versions: string[];
}

export class Traffic {
  private constructor(private readonly client: Client, private readonly tag: string) {}

  /** Starts the loop: one request every `intervalMs` plus its own time, alternately GET and POST. */
  static async start(client: Client, server: Server, o: { intervalMs?: number; maxSeconds?: number } = {}): Promise<Traffic> {
    const tag = `/tmp/traffic-${Date.now()}`;
    const sleep = ((o.intervalMs ?? 100) / 1000).toFixed(3);
    const url = `http://${server.ip}`;
    const script = [
      `end=$(( $(date +%s) + ${o.maxSeconds ?? 900} ))`,
      'i=0',
      `while [ ! -e ${tag}.stop ] && [ "$(date +%s)" -lt "$end" ]; do`,
      '  i=$((i+1))',
      '  if [ $((i % 2)) -eq 0 ]; then',
      `    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X POST -H 'content-type: application/json' -d "{\\"key\\":\\"traffic-$i\\",\\"value\\":\\"$i\\"}" ${url}/kv); m=POST`,
      '  else',
      `    body=$(curl -s --max-time 30 -w '\\n%{http_code}' ${url}/); code=$(printf '%s' "$body" | tail -n 1); m=GET`,
      `    v=$(printf '%s' "$body" | head -n 1 | sed -n 's/.*"version": *"\\([^"]*\\)".*/\\1/p'); [ -n "$v" ] && echo "$v" >> ${tag}.versions`,
      '  fi',
      `  echo "$(date +%s.%N) $m $code" >> ${tag}.log`,
      `  sleep ${sleep}`,
      'done',
      `touch ${tag}.done`,
    ].join('\n');
    await client.sh(`: > ${tag}.log; : > ${tag}.versions; nohup sh -c '${script.replace(/'/g, `'\\''`)}' >/dev/null 2>&1 &`);
    const t = new Traffic(client, tag);
    return t;
  }

  /** Requests logged so far. */
  async count(): Promise<number> {
    return Number((await this.client.sh(`wc -l < ${this.tag}.log`)).trim());
  }

  /** Waits until `more` further requests have been answered (or failed): the loop is seen running, no fixed sleep. */
  async further(more: number): Promise<void> {
    const from = await this.count();
    await waitFor(`${more} more requests from the client loop`, async () => (await this.count()) >= from + more, { timeoutMs: 120_000, intervalMs: 200 });
  }

  /** Stops the loop and counts. */
  async stop(): Promise<TrafficResult> {
    await this.client.sh(`touch ${this.tag}.stop; for i in $(seq 1 400); do [ -e ${this.tag}.done ] && break; sleep 0.1; done`);
    const lines = (await this.client.sh(`cat ${this.tag}.log`)).trim().split('\n').filter(Boolean);
    const failures = lines.filter((l) => !/ 2\d\d$/.test(l));
    const times = lines.map((l) => Number(l.split(' ')[0]));
    const span = times.length > 1 ? times.at(-1)! - times[0]! : 0;
    const versions: string[] = [];
    for (const v of (await this.client.sh(`cat ${this.tag}.versions`)).trim().split('\n').filter(Boolean)) if (versions.at(-1) !== v) versions.push(v);
    return { total: lines.length, failed: failures.length, failures, rate: span > 0 ? Math.round((lines.length / span) * 10) / 10 : 0, versions };
  }
}
