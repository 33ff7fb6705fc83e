// my.cnf: the version table catches what each MySQL/MariaDB version refuses, the generator runs it
// on everything it writes, and the memory worst case computed from the rendered file fits the
// container for every preset and engine (MySQL has no server here; MariaDB is also run for real).
import { describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { MYSQL_DEPRECATED, MYSQL_REMOVED, checkMysqlOptions, hasSince, normalizeOptionName } from '../../src/domain/mysql-options.js';
import { SERVER_DEFAULTS, sizeToBytes, worstCaseFromVariables } from '../../src/domain/mysql-memory.js';
import { buildPlan, type Plan } from '../../src/domain/plan.js';
import { mysqlOptions, renderMysqlCnf } from '../../src/render/mysql.js';
import { parseVersion } from '../../src/domain/versions.js';
import { VM } from '../fixtures/facts.js';

const PRESETS = ['4g', '8g', '16g'] as const;
const TARGETS = [
  ['mysql', '8.0'],
  ['mysql', '8.4'],
  ['mariadb', '10.11'],
  ['mariadb', '11.4'],
  ['mariadb', '11.8'],
] as const;

function plan(preset: (typeof PRESETS)[number], engine: 'mysql' | 'mariadb', version: string, image?: string): Plan {
  const a = AnswersSchema.parse({
    project: 'shop',
    preset,
    app: { image: 'registry.example.com/team/api:1.4.2' },
    database: { engine, version },
    ...(image ? { images: { mysql: image } } : {}),
  });
  return buildPlan(a, VM[preset]);
}

/** The [mysqld] options of a rendered file, as name → value (bare flags → 'ON'). */
function parseCnf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (!l || l.startsWith('#') || l.startsWith('[')) continue;
    const m = /^([a-z0-9_-]+)\s*(?:=\s*(.*))?$/.exec(l);
    if (!m) throw new Error(`unparsed line ${l}`);
    out[normalizeOptionName(m[1]!)] = m[2] ?? 'ON';
  }
  return out;
}

describe('the MySQL version table (from the reference manual) refuses what the server would', () => {
  it('catches query_cache_size on MySQL 8.0 and 8.4 (the query cache was removed in 8.0.3), citing the manual', () => {
    for (const v of ['8.0.43', '8.4.6']) {
      const p = checkMysqlOptions('mysql', v, ['query_cache_size']);
      expect(p).toHaveLength(1);
      expect(p[0]!.kind).toBe('removed');
      expect(p[0]!.source).toMatch(/^https:\/\/dev\.mysql\.com\/doc\/refman\//);
    }
  });

  it('character_set_client_handshake: fine until 8.0.34 as far as deprecation goes, deprecated from 8.0.35, removed in 8.3.0', () => {
    const kind = (v: string) => checkMysqlOptions('mysql', v, ['character-set-client-handshake'])[0]!.kind;
    // Before 8.0.35 it is merely not an option we write (unknown); from 8.0.35 the server warns; from 8.3.0 it refuses to start.
    expect(kind('8.0.34')).toBe('unknown');
    expect(kind('8.0.35')).toBe('deprecated');
    expect(kind('8.2.0')).toBe('deprecated');
    expect(kind('8.3.0')).toBe('removed');
  });

  // [option, on 8.0.43, on 8.4.6, what to use instead] — from the 8.0 and 8.4 manuals' added/deprecated/removed lists.
  const CHANGES: [string, 'deprecated' | 'unknown', 'deprecated' | 'removed', string?][] = [
    ['innodb_api_enable_mdl', 'deprecated', 'removed'],
    ['innodb_api_trx_level', 'deprecated', 'removed'],
    ['innodb_api_enable_binlog', 'deprecated', 'removed'],
    ['innodb_api_bk_commit_interval', 'deprecated', 'removed'],
    ['innodb_api_disable_rowlock', 'deprecated', 'removed'],
    ['daemon_memcached_option', 'deprecated', 'removed'],
    ['daemon_memcached_enable_binlog', 'deprecated', 'removed'],
    ['daemon_memcached_r_batch_size', 'deprecated', 'removed'],
    ['group_replication_ip_whitelist', 'deprecated', 'removed', 'group_replication_ip_allowlist'],
    ['group_replication_primary_member', 'unknown', 'removed'],
    ['master_info_repository', 'deprecated', 'removed'],
    ['relay_log_info_repository', 'deprecated', 'removed'],
    ['slave_rows_search_algorithms', 'deprecated', 'removed'],
    ['log_bin_use_v1_row_events', 'deprecated', 'removed'],
    ['transaction_write_set_extraction', 'deprecated', 'removed'],
    ['binlog_transaction_dependency_tracking', 'deprecated', 'removed'],
    ['admin_ssl', 'deprecated', 'removed', 'admin_tls_version'],
    ['have_ssl', 'unknown', 'removed'],
    ['avoid_temporal_upgrade', 'unknown', 'removed'],
    ['log_slave_updates', 'deprecated', 'deprecated', 'log_replica_updates'],
    ['slave_parallel_workers', 'deprecated', 'deprecated', 'replica_parallel_workers'],
    ['slave_preserve_commit_order', 'deprecated', 'deprecated', 'replica_preserve_commit_order'],
    ['skip_slave_start', 'deprecated', 'deprecated', 'skip_replica_start'],
    ['slave_net_timeout', 'deprecated', 'deprecated', 'replica_net_timeout'],
    ['slave_skip_errors', 'deprecated', 'deprecated', 'replica_skip_errors'],
    ['master_verify_checksum', 'deprecated', 'deprecated', 'source_verify_checksum'],
    ['init_slave', 'deprecated', 'deprecated', 'init_replica'],
  ];
  for (const [name, on80, on84, instead] of CHANGES) {
    it(`${name}: ${on80} on 8.0.43, ${on84} on 8.4.6${instead ? `, use ${instead}` : ''}`, () => {
      const a = checkMysqlOptions('mysql', '8.0.43', [name.replace(/_/g, '-')])[0]!;
      const b = checkMysqlOptions('mysql', '8.4.6', [name])[0]!;
      expect(a.kind).toBe(on80);
      expect(b.kind).toBe(on84);
      if (instead) expect(b.message).toContain(`; use ${instead}`);
      for (const p of [a, b]) if (p.kind !== 'unknown') expect(p.source).toMatch(/^https:\/\/dev\.mysql\.com\/doc\/(refman|mysqld-version-reference)\//);
    });
  }

  it('every entry of both tables cites a page of the MySQL manual', () => {
    for (const [name, e] of [...Object.entries(MYSQL_REMOVED), ...Object.entries(MYSQL_DEPRECATED)]) {
      expect(e.source, name).toMatch(/^https:\/\/dev\.mysql\.com\/doc\/(refman|mysqld-version-reference)\/.+\.html$/);
    }
  });

  it('catches expire_logs_days: deprecated in 8.0, removed in 8.2, with binlog_expire_logs_seconds as the fix', () => {
    expect(checkMysqlOptions('mysql', '8.0.43', ['expire_logs_days'])[0]!.kind).toBe('deprecated');
    const removed = checkMysqlOptions('mysql', '8.4.6', ['expire-logs-days'])[0]!;
    expect(removed.kind).toBe('removed');
    expect(removed.message).toMatch(/removed in 8\.2\.0; use binlog_expire_logs_seconds/);
    expect(removed.source).toContain('optvar-changes-8-2');
  });

  it('catches default_authentication_plugin: removed in 8.4, deprecated in 8.0', () => {
    const p = checkMysqlOptions('mysql', '8.4.0', ['default_authentication_plugin'])[0]!;
    expect(p.kind).toBe('removed');
    expect(p.source).toContain('optvar-changes-8-4');
    expect(checkMysqlOptions('mysql', '8.0.43', ['default_authentication_plugin'])[0]!.kind).toBe('deprecated');
  });

  it('knows the redo boundary: innodb_redo_log_capacity from 8.0.30, innodb_log_file_size deprecated from then', () => {
    expect(checkMysqlOptions('mysql', '8.0.29', ['innodb_redo_log_capacity'])[0]!.kind).toBe('too-new');
    expect(checkMysqlOptions('mysql', '8.0.30', ['innodb_redo_log_capacity'])).toEqual([]);
    expect(checkMysqlOptions('mysql', '8.0.29', ['innodb_log_file_size'])).toEqual([]);
    expect(checkMysqlOptions('mysql', '8.0.30', ['innodb_log_file_size'])[0]!.kind).toBe('deprecated');
  });

  it('MariaDB is not MySQL: it keeps the query cache and has no innodb_redo_log_capacity', () => {
    expect(checkMysqlOptions('mariadb', '11.8.3', ['query_cache_size', 'query_cache_type'])).toEqual([]);
    expect(checkMysqlOptions('mariadb', '10.11.14', ['innodb_redo_log_capacity'])[0]!.kind).toBe('removed');
    expect(checkMysqlOptions('mariadb', '11.4.8', ['innodb_buffer_pool_instances'])[0]!.kind).toBe('removed');
  });

  it('refuses an option nobody looked up', () => {
    expect(checkMysqlOptions('mysql', '8.4.6', ['innodb_made_up_option'])[0]!.kind).toBe('unknown');
  });

  it('branch-wise versions: a list names the first release of each branch', () => {
    const list = ['10.11.10', '11.4.4', '11.8.0'] as const;
    expect(hasSince(parseVersion('10.11.9')!, list)).toBe(false);
    expect(hasSince(parseVersion('10.11.10')!, list)).toBe(true);
    expect(hasSince(parseVersion('11.4.3')!, list)).toBe(false);
    expect(hasSince(parseVersion('11.6.0')!, list)).toBe(false);
    expect(hasSince(parseVersion('12.0.1')!, list)).toBe(true);
  });
});

describe('my.cnf per engine and version', () => {
  for (const [engine, version] of TARGETS) {
    for (const preset of PRESETS) {
      it(`${engine} ${version}, ${preset}: every option passes the table, values come from the plan`, () => {
        const p = plan(preset, engine, version);
        const names = mysqlOptions(p).map((o) => o.name);
        expect(checkMysqlOptions(engine, p.database.serverVersion, names)).toEqual([]);
        const cnf = parseCnf(renderMysqlCnf(p).content);
        const db = p.database;
        expect(cnf.innodb_buffer_pool_size).toBe(`${db.bufferPoolMiB}M`);
        expect(cnf.max_connections).toBe(String(db.maxConnections));
        expect(cnf.character_set_server).toBe('utf8mb4');
        expect(cnf.skip_name_resolve).toBe('ON');
        expect(cnf.binlog_expire_logs_seconds).toBe(String(db.binlogExpireSeconds));
        expect(cnf.performance_schema).toBe(preset === '4g' ? 'OFF' : 'ON');
        for (const gone of ['query_cache_size', 'expire_logs_days', 'default_authentication_plugin']) {
          if (engine === 'mysql' || gone !== 'query_cache_size') expect(cnf[gone], gone).toBeUndefined();
        }
        if (engine === 'mysql') {
          expect(cnf.innodb_redo_log_capacity).toBe(`${db.redoLogMiB}M`);
          expect(cnf.innodb_log_file_size).toBeUndefined();
          // MySQL rounds the pool up to chunk × instances: the plan sits on that grid.
          expect(db.bufferPoolMiB % (db.bufferPoolChunkMiB! * db.bufferPoolInstances)).toBe(0);
          expect(cnf.innodb_buffer_pool_chunk_size).toBe(`${db.bufferPoolChunkMiB}M`);
          expect(cnf.innodb_buffer_pool_instances).toBe(String(db.bufferPoolInstances));
          expect(cnf.temptable_max_ram).toBe(`${db.tmpTableMiB * 4}M`);
        } else {
          expect(cnf.innodb_log_file_size).toBe(`${db.redoLogMiB}M`);
          expect(cnf.innodb_redo_log_capacity).toBeUndefined();
          expect(cnf.innodb_buffer_pool_instances).toBeUndefined();
          expect(cnf.query_cache_type).toBe('0');
        }
      });
    }
  }

  it('MariaDB 11.4, the default (no 11.4 server runs here): every option written is documented for 11.4', () => {
    // Looked up in MariaDB's documentation (https://mariadb.com/kb/en/<page>/#<option>): present in 11.4, not removed.
    const KB = {
      server: 'server-system-variables', innodb: 'innodb-system-variables', aria: 'aria-system-variables',
      myisam: 'myisam-system-variables', pfs: 'performance-schema-system-variables', repl: 'replication-and-binary-log-system-variables',
    };
    const DOCUMENTED_IN_11_4: Record<string, string> = {
      character_set_server: KB.server, collation_server: KB.server, skip_name_resolve: KB.server, max_connections: KB.server,
      max_connect_errors: KB.server, max_allowed_packet: KB.server, sort_buffer_size: KB.server, join_buffer_size: KB.server,
      read_buffer_size: KB.server, read_rnd_buffer_size: KB.server, tmp_table_size: KB.server, max_heap_table_size: KB.server,
      query_cache_type: KB.server, query_cache_size: KB.server, slow_query_log: KB.server, slow_query_log_file: KB.server,
      long_query_time: KB.server, innodb_buffer_pool_size: KB.innodb, innodb_log_file_size: KB.innodb,
      innodb_flush_log_at_trx_commit: KB.innodb, aria_pagecache_buffer_size: KB.aria, key_buffer_size: KB.myisam,
      performance_schema: KB.pfs, log_bin: KB.repl, server_id: KB.repl,
      // Added in 10.6.1.
      binlog_expire_logs_seconds: KB.repl,
    };
    for (const preset of PRESETS) {
      const p = plan(preset, 'mariadb', '11.4');
      expect(p.database.serverVersion).toBe('11.4.13');
      const names = mysqlOptions(p).map((o) => normalizeOptionName(o.name));
      expect(names.filter((n) => !(n in DOCUMENTED_IN_11_4)), 'options nobody checked against the 11.4 docs').toEqual([]);
      // MySQL-only names never reach a MariaDB file.
      expect(names).not.toContain('innodb_redo_log_capacity');
      expect(names).not.toContain('innodb_buffer_pool_instances');
    }
  });

  it('MySQL before 8.0.30 (an image override) gets two redo files instead of innodb_redo_log_capacity', () => {
    const p = plan('8g', 'mysql', '8.0', 'mysql:8.0.28');
    expect(p.database.serverVersion).toBe('8.0.28');
    const cnf = parseCnf(renderMysqlCnf(p).content);
    expect(cnf.innodb_redo_log_capacity).toBeUndefined();
    expect(cnf.innodb_log_files_in_group).toBe('2');
    expect(cnf.innodb_log_file_size).toBe(`${Math.floor(p.database.redoLogMiB / 2)}M`);
  });

  it('the generator throws rather than render an option the target refuses', () => {
    // A MySQL plan whose server is too old for binlog_expire_logs_seconds (added in 8.0.1).
    const p = plan('4g', 'mysql', '8.0', 'mysql:8.0.0');
    expect(() => renderMysqlCnf(p)).toThrow(/binlog_expire_logs_seconds/);
  });
});

describe('memory: the worst case of the rendered my.cnf fits the container', () => {
  for (const engine of ['mysql', 'mariadb'] as const) {
    for (const preset of PRESETS) {
      it(`${engine}, ${preset}: buffer pool + per-connection buffers × max_connections + global overhead`, () => {
        const p = plan(preset, engine, engine === 'mysql' ? '8.4' : '11.4');
        const cnf = parseCnf(renderMysqlCnf(p).content);
        const vars: Record<string, string> = { ...SERVER_DEFAULTS[engine] };
        for (const [k, v] of Object.entries(cnf)) vars[k] = sizeToBytes(v);
        // What the server derives itself: MariaDB 11's log buffer is its redo log; MySQL's default log buffer when unset.
        if (!vars.innodb_log_buffer_size) vars.innodb_log_buffer_size = String(p.database.logBufferMiB * 1024 * 1024);
        const m = worstCaseFromVariables(vars, engine);
        const limit = p.services.find((s) => s.name === 'mysql')!.memoryMiB;
        expect(m.maxConnections).toBe(p.database.maxConnections);
        expect(m.worstCaseMiB).toBeLessThanOrEqual(limit);
        // And with the 10 % allocator headroom the plan promises.
        expect(m.worstCaseMiB).toBeLessThanOrEqual(Math.ceil(limit * 0.9));
        expect(p.database.worstCaseMiB).toBeLessThanOrEqual(Math.ceil(limit * 0.9));
      });
    }
  }
});
