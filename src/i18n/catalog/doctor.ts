import { mergeCatalogs } from '../define.js';
import { host } from './doctor/host.js';
import { docker } from './doctor/docker.js';
import { web } from './doctor/web.js';
import { data } from './doctor/data.js';
import { tls } from './doctor/tls.js';
import { security } from './doctor/security.js';
import { files } from './doctor/files.js';
import { journals } from './doctor/journals.js';
import { backups } from './doctor/backups.js';
import { report } from './doctor/report.js';
import { actions } from './doctor/actions.js';
import { session } from './doctor/session.js';

// Doctor's messages, one catalogue per area (./doctor/<area>.ts, named like the checks of
// src/domain/doctor/checks-<area>.ts), merged into one: a key defined twice is an error at load.
export const doctor = mergeCatalogs(host, docker, web, data, tls, security, files, journals, backups, report, actions, session);
