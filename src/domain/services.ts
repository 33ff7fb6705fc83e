// The compose services a stack can have. Their names are fixed (docs/CONTRACT.md#answers): the
// database service is `mysql` and the cache `redis` whatever engine runs in them.

export const SERVICE_NAMES = [
  'app', 'worker', 'mysql', 'redis', 'nginx', 'rabbitmq', 'minio', 'node-exporter', 'prometheus', 'grafana',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Compose services that run once per `up` and exit (not planned: they hold no memory once done).
 * minio-init gives the app its own MinIO user (#15.8). Exited with 0 is their healthy state.
 */
export const ONE_SHOT_SERVICES: readonly string[] = ['minio-init'];
