import { COMMON_HELP, type Command } from '../command';
import { setApproval } from './approve';

export const reject: Command = {
  help: `mgov reject GROUP VERSION --reason TEXT [--force] [--wait] [--timeout MINUTES]

Sets the version Rejected with your reason. Refuses an unknown version, and one already Rejected
unless --force. With --wait, follows the rollback on each endpoint that served it.

${COMMON_HELP}`,
  options: ['reason', 'force', 'wait', 'timeout'],
  run: (ctx) => setApproval(ctx, 'Rejected'),
};
