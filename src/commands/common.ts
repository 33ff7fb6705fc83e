// Pieces several commands share: required and optional flags, the stack a command acts on.
import { usageError } from '../errors.js';
import type { ParsedArgs } from './types.js';
import type { StackSelector } from '../services/stack.js';

export function requireString(args: ParsedArgs, name: string, command: string): string {
  const v = args.values[name];
  if (typeof v !== 'string' || v === '') throw usageError('err.missingFlag', { flag: `--${name}`, command });
  return v;
}

export const optString = (args: ParsedArgs, name: string): string | undefined => {
  const v = args.values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

export const flag = (args: ParsedArgs, name: string): boolean => args.values[name] === true;

/** --answers and --project: which installed stack a maintenance command acts on. */
export const STACK_OPTIONS = { answers: { type: 'string' }, project: { type: 'string' } } as const;

export const stackOf = (args: ParsedArgs): StackSelector => ({ answersFile: optString(args, 'answers'), project: optString(args, 'project') });
