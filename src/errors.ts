// Errors that end a command. Each carries its exit code (docs/CONTRACT.md#commands) and an i18n key, so the
// CLI prints it in the operator's language; `details` are already-specific lines (field: problem).
import type { MsgKey, Params, T } from './i18n/index.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, host: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class WizardError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    readonly key: MsgKey,
    readonly params: Params = {},
    readonly details: readonly string[] = [],
  ) {
    super(`${key} ${JSON.stringify(params)}${details.length ? `: ${details.join('; ')}` : ''}`);
    this.name = 'WizardError';
  }
}

export const usageError = (key: MsgKey, params: Params = {}, details: readonly string[] = []) =>
  new WizardError(EXIT.usage, key, params, details);
export const hostError = (key: MsgKey, params: Params = {}, details: readonly string[] = []) =>
  new WizardError(EXIT.host, key, params, details);
export const opError = (key: MsgKey, params: Params = {}, details: readonly string[] = []) =>
  new WizardError(EXIT.failed, key, params, details);

/** Any error as the operator reads it (screens, logs): a WizardError in their language with its details. */
export const errorText = (t: T, e: unknown): string =>
  e instanceof WizardError ? [t(e.key, e.params), ...e.details].join('\n') : e instanceof Error ? e.message : String(e);
