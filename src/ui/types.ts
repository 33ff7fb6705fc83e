// What the screens get from the controller: plain data and callbacks. Nothing here does I/O.
import type { Answers } from '../domain/answers.js';
import type { Draft } from '../domain/draft.js';
import type { HostFacts } from '../domain/facts.js';
import type { Plan } from '../domain/plan.js';
import type { Lang, T } from '../i18n/index.js';
import type { StepEvent } from '../steps/engine.js';
import type { FileChange, PortCheck, Prepared, RegistryEntry } from '../services/setup.js';
import type { MenuChoice, MenuEntry } from './menu.js';
import type { BackupSummary } from '../domain/backup.js';
import type { SummaryData } from './screens/Summary.js';
import type { DoctorController } from './doctor-controller.js';

export type { MirrorCandidate, MirrorMeasurement, MirrorSource } from '../services/mirrors.js';
import type { MirrorSource } from '../services/mirrors.js';

export interface ReviewStep {
  title: string;
  needed: boolean;
  changes: string[];
  /** A check step (preflight): how its checks came out; it changes nothing, so it is never `needed`. */
  check?: 'passed' | 'warned' | 'failed';
}

export interface Review {
  answers: Answers;
  plan: Plan;
  prepared: Prepared;
  files: FileChange[];
  /** What init does on the server (also shown when only rendering locally). */
  steps: ReviewStep[];
  targetDir: string;
  /** Files go to a local folder (not root, or --out) and nothing else is changed. */
  local: boolean;
  isRoot: boolean;
  dryRun: boolean;
  /** Warnings about the host and the plan, translated. */
  notes: string[];
}

export interface ApplyResult { applied: number; targetDir: string; local: boolean }

/** `inUse` null: it could not be told (neither `ss` nor /proc/net/tcp could be read). */
export type { PortCheck };

export interface WizardController {
  readonly t: T;
  readonly lang: Lang;
  /** Host facts: the probe, or the --host-facts file. */
  facts(): Promise<HostFacts>;
  stacks(): Promise<RegistryEntry[]>;
  /** The saved answers of an installed stack, to prefill reconfigure. */
  stackDraft(stack: RegistryEntry): Promise<Draft>;
  /** Listeners on these ports now (read-only: `ss`, else the kernel's /proc/net/tcp tables). */
  checkPorts(ports: number[]): Promise<PortCheck[]>;
  /** Where the operator's SSH session comes from (for fail2ban's ignoreip); empty when not over SSH. */
  operatorAddresses?(): Promise<string[]>;
  /** Whether files only go to a local folder (not root, or --out). */
  readonly localOnly: boolean;
  readonly isRoot: boolean;
  review(answers: Answers, facts: HostFacts): Promise<Review>;
  /** The steps apply will run, for the progress list before the first event. */
  applySteps(r: Review): { id: string; title: string }[];
  apply(r: Review, onEvent: (e: StepEvent) => void): Promise<ApplyResult>;
  /** URLs, where files and secrets live, and what to do next. */
  summary(r: Review, result: ApplyResult, facts: HostFacts): SummaryData;
  menu(): MenuEntry[];
  runCommand(entry: MenuEntry, stack: RegistryEntry, onLine: (line: string) => void, choice?: MenuChoice): Promise<number>;
  /** The stack's backups, newest first (the restore picker). */
  backups(stack: RegistryEntry): Promise<BackupSummary[]>;
  readonly mirrors: MirrorSource | null;
  /** The backup screen's test (Ctrl+T): a test message to each channel and the bucket's round trip, as lines. */
  testBackupTargets?(answers: Answers): Promise<string[]>;
  /** The guided troubleshooting session for an installed stack (the menu's Troubleshoot entry). */
  doctor?(stack: RegistryEntry): DoctorController;
}
