/** mgov's commands, by the name they are called with. */
import type { Command } from '../command';
import { approve } from './approve';
import { audit } from './audit';
import { card } from './card';
import { clearViolation } from './clear-violation';
import { lineage } from './lineage';
import { local } from './local';
import { register } from './register';
import { reject } from './reject';
import { retryDeploy } from './retry-deploy';
import { stage } from './stage';
import { status } from './status';

export const COMMANDS: Readonly<Record<string, Command>> = {
  status,
  approve,
  reject,
  register,
  card,
  lineage,
  audit,
  stage,
  'retry-deploy': retryDeploy,
  local,
  'clear-violation': clearViolation,
};
