// Wires the Context (probe, plan, files, steps, commands) to the screens: every effect of the
// wizard happens here, through the Executor; the screens only get the results.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findCommand } from '../commands/index.js';
import type { ParsedArgs } from '../commands/types.js';
import { createContext, type Context } from '../context.js';
import type { Answers } from '../domain/answers.js';
import type { Draft } from '../domain/draft.js';
import type { HostFacts } from '../domain/facts.js';
import { hostNotes } from '../domain/host-checks.js';
import { parseYamlText } from '../domain/load.js';
import { usageError, WizardError } from '../errors.js';
import { parseSs } from '../host/probe.js';
import { parseProcNetTcp } from '../host/proc-net.js';
import { operatorAddresses } from '../host/security.js';
import { HOST } from '../render/paths.js';
import { previewSteps } from '../steps/engine.js';
import { installSteps } from '../steps/install.js';
import type { RegistryEntry } from '../steps/installed.js';
import { installedStacks } from '../steps/installed.js';
import { diffAgainstDisk, loadFacts, prepare, type Prepared } from '../steps/prepare.js';
import { verifyMirrors } from '../steps/mirrors.js';
import { applySetup, setupSteps, setupTarget, isRootUser } from '../steps/setup.js';
import { availableEntries, type MenuChoice, type MenuEntry } from './menu.js';
import { listBackups } from '../steps/backup.js';
import { stackUrls } from './model.js';
import { createDoctorController } from './doctor-controller.js';
import type { SummaryData } from './screens/Summary.js';
import type { ApplyResult, MirrorSource, PortCheck, Review, WizardController } from './types.js';

export interface ControllerOptions {
  factsFile?: string;
  /** Render into this folder instead of the install dir (like init --out). */
  out?: string;
  dryRun: boolean;
  mirrors?: MirrorSource | null;
  /** Whether this runs as root (default: the process's uid); decides install dir vs local folder. */
  isRoot?: boolean;
}

/** The program holding a socket (by its inode), as ss -p names it; null when it cannot be found. -lname takes a glob: the brackets are escaped. */
async function socketOwner(ctx: Context, inode: number): Promise<string | null> {
  const r = await ctx.exec.query('find', ['/proc', '-mindepth', '3', '-maxdepth', '3', '-path', '/proc/[0-9]*/fd/*', '-lname', `socket:\\[${inode}\\]`, '-print', '-quit'], { timeoutMs: 3000 });
  const pid = /^\/proc\/(\d+)\/fd\//.exec(r.stdout.trim())?.[1];
  if (!pid) return null;
  return (await ctx.exec.readFile(`/proc/${pid}/comm`).catch(() => null))?.trim() || null;
}

/** Where the probe measures free disk before a project (and so its install dir) is known. */
const INSTALL_ROOT = '/opt/stack-wizard';

export function createController(ctx: Context, o: ControllerOptions): WizardController {
  const { t } = ctx;
  let factsP: Promise<HostFacts> | null = null;
  const isRoot = o.isRoot ?? isRootUser();
  const target = (project: string) => setupTarget(ctx, project, o.out, isRoot);
  const localOnly = target('x').local;

  return {
    t,
    lang: ctx.lang,
    localOnly,
    isRoot,
    mirrors: o.mirrors ?? null,

    facts() {
      factsP ??= loadFacts(ctx, o.factsFile, INSTALL_ROOT, [80, 443]);
      return factsP;
    },

    stacks: () => installedStacks(ctx),

    async stackDraft(stack: RegistryEntry): Promise<Draft> {
      const text = await ctx.exec.readFile(stack.answers);
      if (text === null) throw usageError('err.answersMissing', { file: stack.answers });
      const data = parseYamlText(text, stack.answers).data;
      return data && typeof data === 'object' && !Array.isArray(data) ? (data as Draft) : {};
    },

    async operatorAddresses(): Promise<string[]> {
      return (await operatorAddresses(ctx.exec, await this.facts())).addresses;
    },

    async checkPorts(ports: number[]): Promise<PortCheck[]> {
      const r = await ctx.exec.query('ss', ['-Hltnp'], { timeoutMs: 1500 });
      if (r.exitCode === 0) {
        const listening = parseSs(r.stdout);
        return ports.map((port) => {
          const l = listening.find((x) => x.port === port);
          return { port, inUse: !!l, process: l?.process ?? null };
        });
      }
      // No ss (Debian minbase has no iproute2): the kernel's own tables. Never "free" unseen.
      const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((f) => ctx.exec.readFile(f).catch(() => null)));
      if (tables.every((x) => x === null)) return ports.map((port) => ({ port, inUse: null, process: null }));
      const listening = tables.flatMap((x) => (x ? parseProcNetTcp(x) : []));
      return Promise.all(
        ports.map(async (port) => {
          const l = listening.find((x) => x.port === port);
          return { port, inUse: !!l, process: l ? await socketOwner(ctx, l.inode) : null };
        }),
      );
    },

    async review(answers: Answers, facts: HostFacts): Promise<Review> {
      // Every mirror chosen on the region screen (or given) answers now, or the review refuses it
      // naming the key and the live alternatives: apply writes npm, PyPI, Node and prefix mirrors too.
      await verifyMirrors(ctx, answers.mirrors, facts);
      const tg = target(answers.project);
      const p = await prepare(ctx, { answers, facts, targetDir: tg.targetDir });
      const files = await diffAgainstDisk(ctx, p.targetDir, p.files);
      // What init does on the server itself (the install dir), also when we only render locally.
      const serverView: Prepared = { ...p, targetDir: p.plan.installDir };
      const steps = (await previewSteps(ctx, installSteps(p.plan), serverView)).map(({ step, check }) => ({
        title: t(step.title, step.params),
        // A preflight step changes nothing: its findings are in `changes`, it is never work to do.
        needed: step.preflight ? false : check.needed,
        changes: check.changes,
      }));
      const notes = [
        ...p.plan.warnings.map((w) => t(w.key as never, w.params)),
        ...hostNotes(facts).filter((n) => n.key !== 'host.notRoot').map((n) => t(n.key, n.params)),
      ];
      return { answers, plan: p.plan, prepared: p, files, steps, targetDir: p.targetDir, local: tg.local, isRoot: tg.isRoot, dryRun: o.dryRun, notes };
    },

    applySteps: (r) => setupSteps(r.local, r.plan).map((s) => ({ id: s.id, title: t(s.title, s.params) })),

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
        next.push(r.isRoot ? t('ui.next.installHere') : t('ui.next.onServer', { answers: answersFile }));
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

    menu: () => availableEntries((name) => findCommand(name) !== undefined),

    doctor: (stack: RegistryEntry) => createDoctorController(ctx, { answersFile: stack.answers }),

    backups: (stack: RegistryEntry) => listBackups(ctx, stack.installDir),

    async runCommand(entry: MenuEntry, stack: RegistryEntry, onLine: (line: string) => void, choice?: MenuChoice): Promise<number> {
      const found = findCommand(entry.command);
      if (!found) return 1;
      const cmd = (await found.load()).default;
      let buf = '';
      const write = (s: string) => {
        buf += s;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      };
      // The command's own Context prints into the screen; it shares the Executor (and its redaction).
      const sub = createContext({ lang: ctx.lang, dryRun: ctx.exec.dryRun, env: ctx.env, cwd: ctx.cwd, interactive: false, exec: ctx.exec, io: { out: write, err: write } });
      try {
        const r = parseArgs({ args: entry.args(stack, choice), options: cmd.options, strict: true, allowPositionals: true });
        return await cmd.run(sub, { values: r.values as ParsedArgs['values'], positionals: r.positionals });
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
