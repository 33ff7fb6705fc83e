// The finished stack as the summary screen shows it.
import type { HostFacts } from '../../domain/facts.js';
import type { Plan } from '../../domain/plan.js';

const hostForUrl = (h: string) => (h.includes(':') ? `[${h}]` : h);

/** Where the stack answers: the domain, else this host's address (public first). */
export function stackUrls(plan: Plan, facts: HostFacts): string[] {
  const tls = plan.nginx.tls !== 'none';
  const host = plan.nginx.domain ?? facts.addresses.public[0] ?? facts.addresses.private.find((a) => !a.startsWith('127.')) ?? 'SERVER-IP';
  const port = tls ? plan.ports.https : plan.ports.http;
  const url = `${tls ? 'https' : 'http'}://${hostForUrl(host)}${port === (tls ? 443 : 80) ? '' : `:${port}`}/`;
  const out = [url];
  if (plan.components.monitoring) out.push('http://127.0.0.1:3000/ (Grafana, ssh -L 3000:127.0.0.1:3000)');
  return out;
}
