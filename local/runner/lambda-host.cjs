// One local "Lambda instance": a child process that loads a bundled handler from the cloud assembly,
// with the environment its template gives it (already in process.env when forked), and runs one
// invocation at a time on request from the runner over IPC. Plain CommonJS, run by bare node, as on
// Lambda. Arguments: <bundle directory> <handler export, e.g. index.handler>.
'use strict';
const path = require('node:path');

const [bundleDir, handlerSpec] = process.argv.slice(2);
const dot = handlerSpec.lastIndexOf('.');
const moduleFile = path.join(bundleDir, handlerSpec.slice(0, dot));
const exportName = handlerSpec.slice(dot + 1);

let handler;
try {
  handler = require(moduleFile)[exportName];
  if (typeof handler !== 'function') throw new Error(`${handlerSpec} does not export a function`);
  process.send({ type: 'ready' });
} catch (error) {
  process.send({ type: 'init-error', error: { name: error.name, message: error.message } });
  process.exit(1);
}

process.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  const started = Date.now();
  const context = {
    awsRequestId: message.requestId,
    functionName: message.functionName,
    getRemainingTimeInMillis: () => Math.max(0, message.timeoutMs - (Date.now() - started)),
  };
  try {
    const result = await handler(message.event, context);
    process.send({
      type: 'result',
      requestId: message.requestId,
      ok: true,
      result: result === undefined ? null : result,
    });
  } catch (error) {
    process.send({
      type: 'result',
      requestId: message.requestId,
      ok: false,
      error: { name: error?.name || 'Error', message: error?.message || String(error) },
    });
  }
});
