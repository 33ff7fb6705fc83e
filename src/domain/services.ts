// The compose services a stack can have. Their names are fixed (docs/CONTRACT.md#answers): the
// database service is `mysql` and the cache `redis` whatever engine runs in them.

export const SERVICE_NAMES = [
  'app', 'worker', 'mysql', 'redis', 'nginx', 'rabbitmq', 'minio', 'node-exporter', 'prometheus', 'grafana',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
