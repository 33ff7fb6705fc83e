// Wires the Context to the screens: every effect of the wizard is a use case of src/services/
// (the same ones the commands call); the screens only get the results. The menu runs tasks, never
// a command line.
import { join } from 'node:path';
import { createContext, type Context } from '../context.js';
import type { Answers } from '../domain/answers.js';
import type { HostFacts } from '../domain/facts.js';
import { hostNotes } from '../domain/host-checks.js';
import { WizardError } from '../errors.js';
import { HOST } from '../render/paths.js';
import { runTask } from '../services/maintenance.js';
import {
  applySetup, checkPorts, installedStacks, operatorAddresses, reviewSetup, setupFacts, setupStepList, setupTarget, stackDraft,
} from '../services/setup.js';
import { MAINTENANCE_MENU, type MenuChoice, type MenuEntry } from './menu.js';
import { stackUrls } from './model/summary.js';
import { createDoctorController } from './doctor-controller.js';
import type { SummaryData } from './screens/Summary.js';
import type { ApplyResult, MirrorSource, Review, ReviewStep, WizardController } from './types.js';
import type { Plan } from '../domain/plan.js';
import type { T } from '../i18n/index.js';
import type { PreviewStep } from '../services/setup.js';
import type { RegistryEntry } from '../services/setup.js';

export interface ControllerOptions {
  factsFile?: string;
  /** Render into this folder instead of the install dir (like init --out). */
  out?: string;
  dryRun: boolean;
  mirrors?: MirrorSource | null;
  /** Whether this runs as root (default: the process's uid); decides install dir vs local folder. */
  isRoot?: boolean;
}

/**
 * init's steps as the review lists them. A preflight step changes nothing: its findings are in
 * `changes`, it is never work to do, and one that refuses is shown failed, not "nothing to do" (#22.7).
 */
export function reviewSteps(t: T, steps: Pick<PreviewStep, 'title' | 'params' | 'preflight' | 'needed' | 'changes'>[]): ReviewStep[] {
  return steps.map((s) => ({
    title: t(s.title, s.params),
    needed: s.preflight ? false : s.needed,
    changes: s.changes,
    ...(s.preflight ? { check: s.needed ? ('failed' as const) : s.changes.some((c) => c.startsWith('! ')) ? ('warned' as const) : ('passed' as const) } : {}),
  }));
}

/** The plan's warnings and the host's notes, each said once: "assuming port 22" already says sshd was not seen (#22.7). */
export function reviewNotes(t: T, plan: Plan, facts: HostFacts): string[] {
  const sshAssumed = plan.warnings.some((w) => w.key === 'warn.sshPortAssumed');
  return [
    ...plan.warnings.map((w) => t(w.key as never, w.params)),
    ...hostNotes(facts)
      .filter((n) => n.key !== 'host.notRoot' && !(sshAssumed && (n.key === 'host.sshUnknown' || n.key === 'host.sshUnknownRoot')))
      .map((n) => t(n.key, n.params)),
  ];
}

export function createController(ctx: Context, o: ControllerOptions): WizardController {
  const { t } = ctx;
  let factsP: Promise<HostFacts> | null = null;
  const isRoot = o.isRoot ?? ctx.isRoot;
  const target = (project: string) => setupTarget(ctx, project, o.out, isRoot);
  const localOnly = target('x').local;

  return {
    t,
    lang: ctx.lang,
    localOnly,
    isRoot,
    mirrors: o.mirrors ?? null,

    facts() {
      factsP ??= setupFacts(ctx, o.factsFile);
      return factsP;
    },

    stacks: () => installedStacks(ctx),

    stackDraft: (stack: RegistryEntry) => stackDraft(ctx, stack),

    async operatorAddresses(): Promise<string[]> {
      return operatorAddresses(ctx, await this.facts());
    },

    checkPorts: (ports: number[]) => checkPorts(ctx, ports),

    async testBackupTargets(answers: Answers): Promise<string[]> {
      const { testBackupTargets } = await import('../services/backup-targets.js');
      return testBackupTargets(ctx, answers, (await this.facts()).hostname);
    },

    async review(answers: Answers, facts: HostFacts): Promise<Review> {
      const tg = target(answers.project);
      const pv = await reviewSetup(ctx, { answers, facts, targetDir: tg.targetDir });
      const p = pv.prepared;
      const steps = reviewSteps(t, pv.steps);
      const notes = reviewNotes(t, p.plan, facts);
      return { answers, plan: p.plan, prepared: p, files: [...pv.files, ...pv.hostFiles], steps, targetDir: p.targetDir, local: tg.local, isRoot: tg.isRoot, dryRun: o.dryRun, notes };
    },

    applySteps: (r) => setupStepList(r.local, r.prepared).map((s) => ({ id: s.id, title: t(s.title, s.params) })),

    async apply(r, onEvent): Promise<ApplyResult> {
      const reports = await applySetup(ctx, r.prepared, r.local, onEvent);
      return { applied: reports.filter((x) => x.status === 'applied').length, targetDir: r.targetDir, local: r.local };
    },

    summary(r: Review, res: ApplyResult, facts: HostFacts): SummaryData {
      const answersFile = join(r.targetDir, HOST.answers);
      const next: string[] = [];
      if (r.dryRun) next.push(t('ui.next.dryRun'));
      else if (r.local) {
        next.push(t('ui.next.readFiles', { dir: r.targetDir }));
        next.push(t(r.isRoot ? 'ui.next.installHere' : 'ui.next.onServer', { answers: answersFile }));
        const todo = r.steps.filter((s) => s.needed).map((s) => s.title).join('; ');
        if (todo) next.push(t(r.isRoot ? 'ui.next.serverStepsHere' : 'ui.next.serverSteps', { steps: todo }));
      } else {
        if (r.plan.nginx.domain) {
          next.push(t('ui.next.dns', { domain: r.plan.nginx.domain, ip: facts.addresses.public[0] ?? facts.addresses.private[0] ?? '?' }));
        }
        next.push(t('ui.next.keepEnv', { file: join(r.targetDir, HOST.env) }));
        next.push(t('ui.next.menu'));
      }
      return {
        urls: stackUrls(r.plan, facts),
        targetDir: r.targetDir,
        envFile: join(r.targetDir, HOST.env),
        answersFile,
        local: r.local,
        dryRun: r.dryRun,
        applied: res.applied,
        next,
      };
    },

    menu: () => [...MAINTENANCE_MENU],

    doctor: (stack: RegistryEntry) => createDoctorController(ctx, { answersFile: stack.answers }),

    // Loaded when the picker opens, like the tasks (services/maintenance.ts).
    backups: async (stack: RegistryEntry) => (await import('../services/backup.js')).stackBackups(ctx, stack.installDir),

    /** Runs the entry's use case; its output goes to the screen line by line. */
    async runCommand(entry: MenuEntry, stack: RegistryEntry, onLine: (line: string) => void, choice?: MenuChoice): Promise<number> {
      if (!entry.task) return 1;
      const task = entry.task(stack, choice);
      let buf = '';
      const write = (s: string) => {
        buf += s;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      };
      // A Context of its own prints into the screen; it shares the Executor (and its redaction).
      const sub = createContext({ lang: ctx.lang, dryRun: ctx.exec.dryRun, env: ctx.env, cwd: ctx.cwd, interactive: false, exec: ctx.exec, io: { out: write, err: write } });
      try {
        return await runTask(sub, task);
      } catch (e) {
        write(`${t('err.prefix')} ${e instanceof WizardError ? t(e.key, e.params) : e instanceof Error ? e.message : String(e)}\n`);
        if (e instanceof WizardError) for (const d of e.details) write(`  ${d}\n`);
        return e instanceof WizardError ? e.exitCode : 1;
      } finally {
        if (buf) onLine(buf);
      }
    },
  };
}
